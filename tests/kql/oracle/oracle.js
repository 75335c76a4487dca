#!/usr/bin/env node
// Parses each query with Microsoft's KQL parser (@kusto/language-service-next) and prints one
// JSON line per input: {"id": ..., "syntax_ok": bool, "diag": "first message @offset"}.
// Input: JSONL on stdin with {"id", "query"}. Used by parse_oracle_compare.py (ctest).
'use strict';
const path = require('path');
const pkg = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
require(path.join(pkg, 'bridge.min.js'));
require(path.join(pkg, 'Kusto.Language.Bridge.min.js'));
const readline = require('readline');

function check(query) {
  const code = Kusto.Language.KustoCode.Parse(query);
  const diags = Bridge.toArray(code.GetSyntaxDiagnostics());
  const errs = diags.filter((d) => d.Severity === 'Error' || d.Severity === undefined);
  if (errs.length === 0) return { syntax_ok: true };
  return { syntax_ok: false, diag: `${errs[0].Message} @${errs[0].Start}` };
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  let r;
  try {
    r = check(c.query);
  } catch (e) {
    r = { syntax_ok: false, diag: 'oracle exception: ' + String(e).slice(0, 200) };
  }
  process.stdout.write(JSON.stringify(Object.assign({ id: c.id }, r)) + '\n');
});
