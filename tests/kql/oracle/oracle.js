#!/usr/bin/env node
// Checks each query with Microsoft's KQL parser (@kusto/language-service-next) and prints one
// JSON line per input: {"id", "syntax_ok", "diag"} and, with --schema FILE, also the semantic
// verdict {"semantic_ok", "semantic_diag", "unknown_table"} against the tables in FILE
// ({"TableName": "(col:type, ...)", ...}).
// Input: JSONL on stdin with {"id", "query"}. Used by src/kql/parse_conformance_test.cc.
'use strict';
const fs = require('fs');
const path = require('path');
const pkg = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
require(path.join(pkg, 'bridge.min.js'));
require(path.join(pkg, 'Kusto.Language.Bridge.min.js'));
const readline = require('readline');
const K = Kusto.Language;

function globalsFrom(schemaFile) {
  const tables = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const symbols = Object.keys(tables).map((n) => new K.Symbols.TableSymbol.$ctor7(n, tables[n]));
  const db = new K.Symbols.DatabaseSymbol.$ctor1('agentgate', symbols);
  return K.GlobalState.Default.WithDatabase(db);
}

function errorsOf(diags) {
  return Bridge.toArray(diags).filter((d) => d.Severity === 'Error' || d.Severity === undefined);
}

function check(query, globals) {
  const out = {};
  const syntax = errorsOf(K.KustoCode.Parse(query).GetSyntaxDiagnostics());
  out.syntax_ok = syntax.length === 0;
  if (!out.syntax_ok) out.diag = `${syntax[0].Message} @${syntax[0].Start}`;
  if (globals) {
    const all = errorsOf(K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics());
    out.semantic_ok = all.length === 0;
    // KS204: a table the schema does not have (another workspace's); its verdict says nothing.
    out.unknown_table = all.some((d) => d.Code === 'KS204');
    if (!out.semantic_ok) out.semantic_diag = `${all[0].Code} ${all[0].Message} @${all[0].Start}`;
  }
  return out;
}

const schemaArg = process.argv.indexOf('--schema');
const globals = schemaArg > 0 ? globalsFrom(process.argv[schemaArg + 1]) : null;
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  let r;
  try {
    r = check(c.query, globals);
  } catch (e) {
    r = { syntax_ok: false, diag: 'oracle exception: ' + String(e).slice(0, 200) };
  }
  process.stdout.write(JSON.stringify(Object.assign({ id: c.id }, r)) + '\n');
});
