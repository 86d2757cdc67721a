// A text gauge: a bar filled to `percent` with an optional marker (the danger threshold).
import { Line, seg, Style } from './styled';

export function gaugeBar(percent: number | null, width: number, markerPercent: number | null, level: 'ok' | 'warn' | 'danger' | 'unknown'): Line {
  const w = Math.max(1, width);
  const fill = percent === null ? 0 : Math.max(0, Math.min(w, Math.round((percent / 100) * w)));
  const mark = markerPercent === null ? -1 : Math.max(0, Math.min(w - 1, Math.round((markerPercent / 100) * w)));
  const barStyle: Style = level === 'danger' ? 'barDanger' : level === 'warn' ? 'barWarn' : 'barOk';
  const out: Line = [seg('[', 'dim')];
  for (let i = 0; i < w; i++) {
    if (i === mark) out.push(seg(i < fill ? '┃' : '│', 'marker'));
    else if (i < fill) out.push(seg('█', barStyle));
    else out.push(seg('░', 'barEmpty'));
  }
  out.push(seg(']', 'dim'));
  // Merge runs of the same style so the UI emits fewer tags.
  const merged: Line = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && last.style === s.style) last.text += s.text;
    else merged.push({ ...s });
  }
  return merged;
}
