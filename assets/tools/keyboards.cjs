// Writes web/vendor/simple-keyboard/layouts.json: the on-screen keyboard
// layouts Punto offers, taken from simple-keyboard-layouts (each layout
// file is `export default {...}`: plain data, read without running it as a
// module). Run by `make vendor`.
const fs = require("fs");
const path = require("path");
const dir = path.join(__dirname, "..", "node_modules", "simple-keyboard-layouts", "build", "layouts");
const names = ["english", "italian", "french", "spanish", "arabic", "urdu", "farsi", "bengali", "punjabi", "russian", "ukrainian"];
const out = {};
for (const name of names) {
  const src = fs.readFileSync(path.join(dir, name + ".js"), "utf8");
  const body = src.slice(src.indexOf("export default") + "export default".length).trim().replace(/;\s*$/, "");
  out[name] = JSON.parse(JSON.stringify(Function('"use strict"; return (' + body + ");")())).layout;
}
const dest = path.join(__dirname, "..", "web", "vendor", "simple-keyboard", "layouts.json");
fs.mkdirSync(path.dirname(dest), { recursive: true });
fs.writeFileSync(dest, JSON.stringify(out));
