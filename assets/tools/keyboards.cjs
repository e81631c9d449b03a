// Writes the totem's on-screen keyboards (run by `make vendor`):
//
//   web/vendor/simple-keyboard/layouts.json  a touch layout for each of the
//     15 languages and "latin", each {name, lang, dir, script, shift, ime,
//     layout: {default, shift}, families}: digits, letter rows, a bottom row
//     of space and search; never tab, ".com", "@" or punctuation;
//   web/vendor/simple-keyboard/pinyin.json   the pinyin keyboard's
//     candidates: {chars: {syllable: "字 字 …"}, phrases: {"yi sheng": "医生"}}.
//
// The letters of Arabic, Urdu, Persian, Bengali, Gurmukhi, Russian and
// Ukrainian, the QWERTY and AZERTY rows and the Chinese characters come
// from simple-keyboard-layouts (each layout file is `export default {...}`:
// plain data, read without running it as a module); the Latin languages'
// own letters, the Chinese words (tools/zh-phrases.tsv) and the Ge'ez
// syllables (computed from Unicode) are Punto's.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const pkg = path.join(root, "node_modules", "simple-keyboard-layouts", "build", "layouts");
const dest = path.join(root, "web", "vendor", "simple-keyboard");

function load(name) {
  const src = fs.readFileSync(path.join(pkg, name + ".js"), "utf8");
  const body = src.slice(src.indexOf("export default") + "export default".length).trim().replace(/;\s*$/, "");
  return JSON.parse(JSON.stringify(Function('"use strict"; return (' + body + ");")()));
}

// A key the totem offers is a letter, or a letter with its marks (Bengali
// and Gurmukhi vowel signs are keys of their own): no punctuation, symbol,
// invisible joiner or digit (the digits have a row of their own).
// Tatweel (ـ) is no letter, nor is what it carries (ﹷ is ـَ).
const isKey = (k, marks) => /^[\p{L}\p{M}]+$/u.test(k) && (marks || /\p{L}/u.test(k)) && !k.includes("ـ");

// rowsOf returns the letter rows of one of the package's layers: its three
// middle rows, cleaned; letters found on its digits row join the shortest
// row (Arabic ذ, Russian ё, Bengali ্য ্র) map replaces keys, drop removes them, keep keeps
// a key that is not a letter (the Ukrainian apostrophe).
function rowsOf(layer, { map = {}, drop = [], keep = [], marks = true } = {}) {
  // NFKC makes presentation forms letters (ﺋ is ئ); a symbol stays out
  // even where it spells letters (﷼ is ریال).
  const clean = (row) => row.split(" ").filter((k) => keep.includes(k) || /^[\p{L}\p{M}]+$/u.test(k))
    .map((k) => map[k.normalize("NFKC")] ?? k.normalize("NFKC"))
    .filter((k) => k && !drop.includes(k) && (keep.includes(k) || isKey(k, marks)));
  const rows = layer.slice(1, 4).map(clean);
  // (the last row also has shift and backspace)
  const width = (r) => r.length + (r === rows[rows.length - 1] ? 2 : 0);
  const shortest = rows.reduce((a, r) => (width(r) <= width(a) ? r : a));
  shortest.push(...clean(layer[0]));
  return rows.filter((r) => r.length);
}

const digits = "1 2 3 4 5 6 7 8 9 0";

// board builds a layout: digits, an optional row of the language's own
// letters, the letter rows (shift and backspace around the last), then
// space and search. shift is "case" (capitals, from the letters), "letters"
// (a second layer of letters, shiftRows) or absent.
function board({ name, lang, dir = "ltr", script, rows, extra, shift, shiftRows, ime, families }) {
  const layer = (letterRows, extraRow) => {
    const out = [digits];
    if (extraRow && extraRow.length) out.push(extraRow.join(" "));
    letterRows.forEach((r, i) => {
      const last = i === letterRows.length - 1;
      out.push([last && shift ? "{shift}" : "", ...r, last ? "{bksp}" : ""].filter(Boolean).join(" "));
    });
    out.push("{space} {enter}");
    return out;
  };
  const layout = { default: layer(rows, extra) };
  if (shift === "case") layout.shift = layer(rows.map((r) => r.map((k) => k.toUpperCase())), extra && extra.map((k) => k.toUpperCase()));
  if (shift === "letters") layout.shift = layer(shiftRows);
  const out = { name, lang, dir, script, layout };
  if (shift) out.shift = shift;
  if (ime) out.ime = ime;
  if (families) out.families = families;
  return out;
}

const split = (s) => s.split(" ");
const qwerty = rowsOf(load("english").layout.default, { drop: [] }).map((r) => r.filter((k) => /^[a-z]$/.test(k)));
const azerty = rowsOf(load("french").layout.default).map((r) => r.filter((k) => /^[a-z]$/.test(k)));

// Latin: each language's own letters in a row above QWERTY (AZERTY for
// French), Spanish ñ where every Spanish keyboard has it. "latin", for
// names of places and services, has the Italian accents.
const latin = (name, lang, extra, rows = qwerty) => board({ name, lang, script: "Latn", rows, extra: extra && split(extra), shift: "case" });
const withKey = (rows, i, key) => rows.map((r, j) => (j === i ? [...r, key] : r));

const layouts = {
  latin: latin("Latin", "it", "à è é ì ò ù"),
  it: latin("Italiano", "it", "à è é ì ò ù"),
  en: latin("English", "en"),
  fr: latin("Français", "fr", "é è ê ë à â ç ù û ô î ï œ", azerty),
  es: latin("Español", "es", "á é í ó ú ü", withKey(qwerty, 1, "ñ")),
  ro: latin("Română", "ro", "ă â î ș ț"),
  sq: latin("Shqip", "sq", "ë ç"),
};

// Arabic: one layer, the hamza forms at the end (the package's shift layer
// has only harakat, which search ignores, and lam-alef ligatures).
{
  const ar = load("arabic").layout;
  const rows = rowsOf(ar.default, { drop: ["لا"], marks: false });
  const hamza = rowsOf(ar.shift, { drop: ["لإ", "لأ", "لآ"], marks: false }).flat();
  // ذ (from the digits row) ends the second row, as on phones.
  rows[2] = rows[2].filter((k) => k !== "ذ");
  rows[1].push("ذ");
  rows[2].push(...hamza);
  layouts.ar = board({ name: "العربية", lang: "ar", dir: "rtl", script: "Arab", rows });
}
// Urdu (phonetic): Urdu's own yeh ی and heh goal ۃ, not the Arabic ى and ة;
// presentation forms become letters (NFKC), stray marks go.
{
  const ur = load("urdu").layout;
  const map = { "ى": "ی", "ة": "ۃ" };
  layouts.ur = board({ name: "اردو", lang: "ur", dir: "rtl", script: "Arab", rows: rowsOf(ur.default, { map, marks: false }),
    shift: "letters", shiftRows: rowsOf(ur.shift, { map, drop: ["لا"], marks: false }) });
}
// Persian: one layer; of the package's second layer (harakat, Arabic ي ك ة,
// hamza forms) the letters Persian writes join the last row: ژ آ ء ئ.
{
  const fa = load("farsi").layout;
  const rows = rowsOf(fa.default, { marks: false });
  rows[2].push(...rowsOf(fa.shift, { marks: false }).flat().filter((k) => "ژآءئ".includes(k)).sort((a, b) => "ژآءئ".indexOf(a) - "ژآءئ".indexOf(b)));
  layouts.fa = board({ name: "فارسی", lang: "fa", dir: "rtl", script: "Arab", rows });
}
// Bengali (Probhat) and Gurmukhi: vowel signs and virama are keys; the
// second layer has the aspirates and the independent vowels.
for (const [id, name, lang, src] of [["bn", "বাংলা", "bn", "bengali"], ["pa", "ਪੰਜਾਬੀ", "pa", "punjabi"]]) {
  const l = load(src).layout;
  layouts[id] = board({ name, lang, script: id === "bn" ? "Beng" : "Guru", rows: rowsOf(l.default), shift: "letters", shiftRows: rowsOf(l.shift) });
}
// Cyrillic: Russian and Ukrainian ЙЦУКЕН, capitals on shift; Ukrainian
// keeps its apostrophe (сім'я).
{
  const ru = load("russian").layout;
  layouts.ru = board({ name: "Русский", lang: "ru", script: "Cyrl", rows: rowsOf(ru.default), shift: "case" });
  const uk = load("ukrainian").layout;
  layouts.uk = board({ name: "Українська", lang: "uk", script: "Cyrl", rows: rowsOf(uk.default, { keep: ["'"] }), shift: "case" });
}

// Chinese: pinyin on QWERTY; the keyboard shows candidates as letters are
// typed (ü is v, as on every pinyin keyboard).
const chinese = load("chinese");
layouts.zh = board({ name: "中文", lang: "zh", script: "Hans", rows: qwerty, ime: "pinyin" });

// Tigrinya: the 33 consonants of the Tigrinya fidel as keys; tapping one
// types its first order (ä) and shows its family, the 7 orders ä u i a e ə o
// (ሐ ሑ ሒ ሓ ሔ ሕ ሖ), the labialised wa (ሗ) and, for q k g and their
// fricatives, the labiovelars (ቈ ቊ ቋ ቌ ቍ): a tap there changes the syllable.
{
  const consonants = split("ሀ ለ ሐ መ ረ ሰ ሸ ቀ ቐ በ ቨ ተ ቸ ነ ኘ አ ከ ኸ ወ ዐ ዘ ዠ የ ደ ጀ ገ ጠ ጨ ጰ ጸ ፀ ፈ ፐ");
  // The eighth code point of these rows is not a "wa" (Unicode's HOA,
  // QOA, KOA, WOA, YOA, GOA, TZOA) or is unassigned.
  const noWa = new Set(split("ሀ ቀ ቐ ከ ኸ ወ ዐ የ ገ ፀ"));
  const labio = { "ቀ": 0x1248, "ቐ": 0x1258, "ከ": 0x12b0, "ኸ": 0x12c0, "ገ": 0x1310 };
  const families = {};
  for (const c of consonants) {
    const b = c.codePointAt(0);
    const f = [0, 1, 2, 3, 4, 5, 6].map((i) => String.fromCodePoint(b + i));
    if (!noWa.has(c)) f.push(String.fromCodePoint(b + 7));
    if (labio[c]) f.push(...[0, 2, 3, 4, 5].map((i) => String.fromCodePoint(labio[c] + i)));
    if (f.some((s) => !/^\p{Script=Ethiopic}$/u.test(s))) throw new Error(`keyboards: ${c}: ${f.join(" ")} is not all Ge'ez`);
    families[c] = f.join(" ");
  }
  const rows = [consonants.slice(0, 11), consonants.slice(11, 22), consonants.slice(22)];
  layouts.ti = board({ name: "ትግርኛ", lang: "ti", script: "Ethi", rows, ime: "geez", families });
}

// Nothing a totem must not offer, and every key big enough to tap: no more
// than 14 keys on a row.
for (const [id, l] of Object.entries(layouts)) {
  for (const [layer, rows] of Object.entries(l.layout)) {
    for (const row of rows) {
      const keys = row.split(" ");
      const bad = keys.filter((k) => ["{tab}", "{lock}", ".com", "@", "{//}", ""].includes(k));
      if (bad.length) throw new Error(`keyboards: ${id}.${layer} has ${bad.join(" ")}`);
      if (keys.length > 14) throw new Error(`keyboards: ${id}.${layer}: ${keys.length} keys on "${row}"`);
    }
  }
}

// The pinyin candidates: the package's characters for each syllable, and
// Punto's words, each checked against them.
const chars = chinese.layoutCandidates;
const phrases = {};
const lines = fs.readFileSync(path.join(__dirname, "zh-phrases.tsv"), "utf8").split("\n");
lines.forEach((line, i) => {
  if (!line.trim() || line.startsWith("#")) return;
  const [pinyin, word] = line.split("\t").map((s) => s.trim());
  const syllables = pinyin.split(" ");
  const hanzi = [...word];
  if (syllables.length !== hanzi.length) throw new Error(`zh-phrases.tsv:${i + 1}: ${pinyin} has ${syllables.length} syllables for ${word}`);
  syllables.forEach((s, j) => {
    if (!(chars[s] || "").split(" ").includes(hanzi[j])) throw new Error(`zh-phrases.tsv:${i + 1}: ${s} does not offer ${hanzi[j]} (${word})`);
  });
  if (phrases[pinyin]) phrases[pinyin] += " " + word;
  else phrases[pinyin] = word;
});

fs.mkdirSync(dest, { recursive: true });
fs.writeFileSync(path.join(dest, "layouts.json"), JSON.stringify(layouts) + "\n");
fs.writeFileSync(path.join(dest, "pinyin.json"), JSON.stringify({ chars, phrases }) + "\n");
