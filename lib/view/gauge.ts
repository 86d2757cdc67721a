// A text gauge: a bar filled to `percent` with an optional marker (the danger threshold).
import { Line, seg, Style } from './styled';

export function gaugeBar(percent: number | null, width: number, markerPercent: number | null, level: 'ok' | 'warn' | 'danger' | 'unknown'): Line {
  const w = Math.max(1, width);
  const fill = percent === null ? 0 : Math.max(0, Math.min(w, Math.round((percent / 100) * w)));
  const mark = markerPercent === null ? -1 : Math.max(0, Math.min(w - 1, Math.round((markerPercent / 100) * w)));
  const barStyle: Style = level === 'danger' ? 'barDanger' : level === 'warn' ? 'barWarn' : 'barOk';
  // Runs of one style are one segment, so the UI emits fewer tags (built as runs: this is drawn every tick).
  const merged: Line = [seg('[', 'dim')];
  const add = (text: string, style: Style) => {
    const last = merged[merged.length - 1];
    if (last.style === style) last.text += text;
    else merged.push(seg(text, style));
  };
  for (let i = 0; i < w; i++) {
    if (i === mark) add(i < fill ? '┃' : '│', 'marker');
    else if (i < fill) add('█', barStyle);
    else add('░', 'barEmpty');
  }
  add(']', 'dim');
  return merged;
}
