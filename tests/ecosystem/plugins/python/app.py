"""The ecosystem plugin (wit/ecosystem) in Python, for componentize-py.

The exported resource `counter` lives in `plugin.py`: componentize-py looks resources up in a
module named after their interface.
"""

from typing import List, Optional, Tuple

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host
from wit_world.imports.types import (
    Color,
    Item,
    Perms,
    Point,
    Shape,
    Shape_Circle,
    Shape_Rectangle,
)

COLOR_NAMES = {Color.RED: "red", Color.GREEN: "green", Color.BLUE: "blue"}
PERM_NAMES = [(Perms.READ, "read"), (Perms.WRITE, "write"), (Perms.EXEC, "exec")]


class Plugin(exports.Plugin):
    def area(self, s: Shape) -> float:
        if isinstance(s, Shape_Circle):
            return 3.0 * s.value * s.value
        if isinstance(s, Shape_Rectangle):
            return float(abs(s.value.x * s.value.y))
        return 0.0

    def translate(self, p: Point, dx: int, dy: int) -> Point:
        return Point(x=p.x + dx, y=p.y + dy)

    def next_color(self, c: Color) -> Color:
        return {Color.RED: Color.GREEN, Color.GREEN: Color.BLUE, Color.BLUE: Color.RED}[c]

    def grant(self, p: Perms, extra: Perms) -> Perms:
        return p | extra

    def describe(self, it: Item) -> str:
        score = "none" if it.score is None else str(it.score)
        perms = "+".join(name for flag, name in PERM_NAMES if flag in it.perms) or "-"
        tags = ",".join(it.tags)
        return f"{it.name} [{tags}] score={score} {COLOR_NAMES[it.color]} {perms}"

    def checked_div(self, a: int, b: int) -> int:
        if b == 0:
            raise Err("division by zero")
        return int(a / b)

    def stats(self, values: List[float]) -> Tuple[float, float, int]:
        return (min(values), max(values), len(values))

    def find(self, items: List[Item], name: str) -> Optional[Item]:
        for it in items:
            if it.name == name:
                return it
        return None

    def greet(self) -> str:
        name = host.lookup("name") or "stranger"
        host.log(1, f"greeted {name}")
        return f"hello, {name}"
