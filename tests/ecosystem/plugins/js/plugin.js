// The ecosystem plugin (wit/ecosystem) in JavaScript, for componentize-js.
//
// Values as jco maps them: records are objects with camelCase fields, variants `{ tag, val }`,
// enums strings, flags objects of booleans, options a value or `undefined`, tuples arrays; an
// `err` of an exported result is thrown (its `payload`); the resource is a class.

import { log, lookup } from "tairitsu:ecosystem/host@0.1.0";

const NEXT = { red: "green", green: "blue", blue: "red" };
const PERMS = ["read", "write", "exec"];

class Counter {
  constructor(start) {
    this.count = start;
  }
  add(n) {
    this.count += n;
    return this.count;
  }
  value() {
    return this.count;
  }
}

export const plugin = {
  area(s) {
    switch (s.tag) {
      case "circle":
        return 3 * s.val * s.val;
      case "rectangle":
        return Math.abs(s.val.x * s.val.y);
      default:
        return 0;
    }
  },
  translate(p, dx, dy) {
    return { x: p.x + dx, y: p.y + dy };
  },
  nextColor(c) {
    return NEXT[c];
  },
  grant(p, extra) {
    const out = {};
    for (const name of PERMS) out[name] = Boolean(p[name] || extra[name]);
    return out;
  },
  describe(it) {
    const score = it.score === undefined ? "none" : String(it.score);
    const perms = PERMS.filter((name) => it.perms[name]).join("+") || "-";
    return `${it.name} [${it.tags.join(",")}] score=${score} ${it.color} ${perms}`;
  },
  checkedDiv(a, b) {
    if (b === 0) {
      const error = new Error("division by zero");
      error.payload = "division by zero";
      throw error;
    }
    return Math.trunc(a / b);
  },
  stats(values) {
    return [Math.min(...values), Math.max(...values), values.length];
  },
  find(items, name) {
    return items.find((it) => it.name === name);
  },
  greet() {
    const name = lookup("name") ?? "stranger";
    log(1, `greeted ${name}`);
    return `hello, ${name}`;
  },
  Counter,
};
