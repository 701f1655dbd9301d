// The rule editor's YAML view: one rule written as the import format (`rules:` holding it; see
// docs/sensing/rules.md), and the line an API error's path names in such a text.

const PLAIN = /^[A-Za-z_\u0080-\uffff][^:#{}[\],&*?|<>=!%@`'"\n]*$/;
const WORDS = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const s = String(v);
  if (PLAIN.test(s) && !WORDS.test(s) && s.trim() === s) return s;
  return `'${s.replace(/'/g, "''")}'`;
}

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function lines(value, pad) {
  const out = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isMap(item) || Array.isArray(item)) {
        const inner = lines(item, `${pad}  `);
        if (!inner.length) out.push(`${pad}- {}`);
        else out.push(`${pad}- ${inner[0].trimStart()}`, ...inner.slice(1));
      } else out.push(`${pad}- ${scalar(item)}`);
    }
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    if ((isMap(v) && Object.keys(v).length) || (Array.isArray(v) && v.length)) {
      out.push(`${pad}${key}:`, ...lines(v, `${pad}  `));
    } else if (isMap(v)) out.push(`${pad}${key}: {}`);
    else if (Array.isArray(v)) out.push(`${pad}${key}: []`);
    else out.push(`${pad}${key}: ${scalar(v)}`);
  }
  return out;
}

/** The rule (its body as the API gives it) as a YAML document of the import format. */
export function ruleYaml(body) {
  return ["rules:", ...lines([body], "")].join("\n") + "\n";
}

/** The 1-based line of `text` that an error path names: `rules[0] (code).when.threshold.value`
 * (the import's paths) or `when.threshold.value`; a YAML syntax error's message names its line
 * itself. Falls back to the deepest key found. */
export function lineOf(text, path, message = "") {
  const said = /line (\d+)/.exec(message);
  if (said) return Number(said[1]);
  const rows = text.split("\n");
  const rest = path.replace(/^rules\[\d+\](\s*\([^)]*\))?\.?/, "");
  let at = rows.findIndex((r) => r.startsWith("- "));
  if (at < 0) return 1;
  let depth = 0; // the indentation the next key must exceed
  for (const part of rest.split(".").filter(Boolean)) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) break;
    const indexes = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    const found = findKey(rows, at, depth, m[1]);
    if (found < 0) break;
    at = found;
    depth = indent(rows[found]) + (rows[found].trimStart().startsWith("- ") ? 2 : 0);
    for (const index of indexes) {
      const item = nthItem(rows, at, depth, index);
      if (item < 0) break;
      at = item;
      depth = indent(rows[item]) + 1;
    }
  }
  return at + 1;
}

const indent = (row) => row.length - row.trimStart().length;

function findKey(rows, from, depth, key) {
  for (let i = from; i < rows.length; i++) {
    const row = rows[i];
    const body = row.trimStart().replace(/^- /, "");
    const col = indent(row) + (row.trimStart().startsWith("- ") ? 2 : 0);
    if (i > from && row.trim() && col < depth) return -1;
    if (col >= depth && (body.startsWith(`${key}:`) || body.startsWith(`'${key}':`))) return i;
  }
  return -1;
}

function nthItem(rows, from, depth, index) {
  let n = -1;
  for (let i = from + 1; i < rows.length; i++) {
    const row = rows[i];
    if (row.trim() && indent(row) < depth) return -1;
    if (row.trimStart().startsWith("- ") && (n += 1) === index) return i;
  }
  return -1;
}
