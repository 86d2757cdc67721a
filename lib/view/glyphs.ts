// The glyphs the view draws itself, each with its ASCII stand-in of the same width (for a terminal without a
// UTF-8 locale: ascii_glyphs.ts). Here alone, without imports, so that both fit.ts (whose fast path counts
// them one column each) and ascii_glyphs.ts (which needs fit.ts) can use the one list.
export const ASCII_STAND_INS: Readonly<Record<string, string>> = {
  '█': '#', '░': '-', '│': '|', '┃': '|', '▼': 'v', '▲': '^', '↑': '^', '↓': 'v', '…': '~', '✕': 'x', '⚠': '!',
  '—': '-', '·': '.', '↺': 'r', 'Σ': '+', '└': '`', '├': '|', '─': '-', '←': '<', '→': '>', '▶': '>',
  '▁': '_', '▂': '.', '▃': '-', '▄': '=', '▅': '+', '▆': '*', '▇': '#', '\ufffd': '?',
};
