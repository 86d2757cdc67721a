'use strict';
// A readable table per case and load, a summary of the headline ratios, and the JSON file.
const fs = require('fs');
const path = require('path');

function ms(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

function x(v) {
  return v === null || v === undefined ? '' : `${v.toFixed(2)}x`;
}

function pad(s, n, right = false) {
  s = String(s);
  if (s.length >= n) return s;
  return right ? s.padStart(n) : s.padEnd(n);
}

function formatCase(caseName, title, level, result) {
  const lines = [];
  lines.push('');
  lines.push(`== ${caseName} @ ${level.label} (${result.processCount} processes): ${title}`);
  const w = Math.max(44, ...result.rows.map((r) => r.label.length + 2));
  const head =
    '    ' + pad('subject', w) + pad('median ms', 11, true) + pad('p90 ms', 10, true) + pad('CPU ms', 10, true) + '   vs baseline: wall   CPU';
  const baselines = new Set(result.rows.map((r) => r.baseline).filter((b) => b));
  let group = null;
  for (const r of result.rows) {
    if (r.group !== group) {
      group = r.group;
      lines.push(`  ${group}`);
      lines.push(head);
    }
    const vs = r.baseline ? `${pad(x(r.ratioWall), 18, true)}${pad(x(r.ratioCpu), 7, true)}` : pad(baselines.has(r.id) ? '(baseline)' : '', 18, true);
    lines.push(
      '    ' + pad((r.headline ? '* ' : '  ') + r.label, w) + pad(ms(r.wall.median), 11, true) + pad(ms(r.wall.p90), 10, true) + pad(ms(r.cpu.median), 10, true) + vs,
    );
  }
  for (const n of result.notes || []) lines.push(`  ${n}`);
  return lines.join('\n');
}

function formatSummary(doc) {
  const lines = ['', '== summary (ratio = subject / baseline, medians, same run; < 1 is faster)'];
  for (const level of doc.levels) {
    for (const [caseName, res] of Object.entries(level.cases)) {
      if (res.error) {
        lines.push(`  ${level.label}  ${caseName}: failed: ${res.error}`);
        continue;
      }
      for (const r of res.rows.filter((row) => row.headline)) {
        const base = res.rows.find((b) => b.id === r.baseline);
        // A case that measures at several process counts (scale) gives each row its own.
        const head = `  ${pad(level.label, 10)} ${pad((r.processCount ?? res.processCount) + ' procs', 12)} ${pad(r.label, 40)} `;
        const of = base ? base.label : r.baseline;
        // Rows with no wall time of their own (CPU per dashboard tick) compare CPU only.
        let s =
          r.wall.median === null
            ? `${head}${pad(ms(r.cpu.median) + ' ms CPU', 14, true)}  = ${x(r.ratioCpu)} CPU of ${of} (${ms(base && base.cpu.median)} ms CPU)`
            : `${head}${pad(ms(r.wall.median) + ' ms', 14, true)}  = ${x(r.ratioWall)} wall${r.ratioCpu === null || r.ratioCpu === undefined ? '' : `, ${x(r.ratioCpu)} CPU`} of ${of} (${ms(base && base.wall.median)} ms)`;
        if (r.extraWallMs !== undefined && r.extraWallMs !== null) s += `; +${ms(r.extraWallMs)} ms wall`;
        lines.push(s);
      }
    }
  }
  return lines.length > 2 ? lines.join('\n') : '';
}

function writeJson(doc, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = doc.time.replace(/[:.]/g, '-');
  const file = path.join(outDir, `bench-${stamp}.json`);
  const text = JSON.stringify(doc, null, 2) + '\n';
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(outDir, 'latest.json'), text);
  return file;
}

module.exports = { formatCase, formatSummary, writeJson };
