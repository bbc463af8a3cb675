"""The exported resource of the ecosystem plugin's `plugin` interface."""

from wit_world.exports import plugin


class Counter(plugin.Counter):
    def __init__(self, start: int) -> None:
        self.count = start

    def add(self, n: int) -> int:
        self.count += n
        return self.count

    def value(self) -> int:
        return self.count
