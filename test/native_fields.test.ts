// The addon converts its results with tables (native/addon.cc) and exports their names as
// `fields`; lib/native.ts builds its types from lists of the same names. These tests hold the
// three to each other: a column added, renamed or dropped on one side only fails here.
import {
  CGROUP_FIELDS,
  createReader,
  DETAIL_FIELDS,
  FLOAT64_COLUMNS,
  HOST_FIELDS,
  INSPECT_FIELDS,
  INT32_COLUMNS,
  loadAddon,
  NATIVE_FIELDS,
  RawCgroup,
  RawDetail,
  RawHost,
  RawProcessFiles,
  RawSample,
  RawStats,
  STATS_FIELDS,
  STRING_COLUMNS,
  UINT8_COLUMNS,
} from '../lib/native';
import { cgroupFixture } from './helpers/paths';

// Compile time (ts-jest type-checks this file): each type names exactly the fields of its list.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Names<L extends readonly string[]> = L[number];
type ColumnNames = Names<typeof INT32_COLUMNS> | Names<typeof UINT8_COLUMNS> | Names<typeof FLOAT64_COLUMNS> | Names<typeof STRING_COLUMNS>;
const typesMatchLists: [
  Same<Exclude<keyof RawSample, 'count' | 'stats' | 'host' | 'cgroup' | 'detail' | 'inspect'>, ColumnNames>,
  Same<keyof RawStats, Names<typeof STATS_FIELDS>>,
  Same<keyof RawHost, Names<typeof HOST_FIELDS>>,
  Same<keyof RawCgroup, Names<typeof CGROUP_FIELDS>>,
  Same<keyof RawDetail, Names<typeof DETAIL_FIELDS>>,
  Same<keyof RawProcessFiles, Names<typeof INSPECT_FIELDS>>,
] = [true, true, true, true, true, true];

test('the types of lib/native.ts are built from its lists', () => {
  expect(typesMatchLists).toEqual([true, true, true, true, true, true]);
});

test("the addon's tables list the same columns and fields, in the same order, as lib/native.ts", () => {
  expect(loadAddon().fields).toEqual(NATIVE_FIELDS);
});

test('a sample carries exactly those columns, each a typed array of the kind listed, and those objects', () => {
  const s = createReader(cgroupFixture('v2')).sample({ detailPid: 1, inspectPids: [1] });
  expect(s.count).toBe(10);
  // By tag, not instanceof: jest runs the test in a context of its own, with its own constructors.
  const columns: [readonly string[], string][] = [
    [INT32_COLUMNS, '[object Int32Array]'],
    [UINT8_COLUMNS, '[object Uint8Array]'],
    [FLOAT64_COLUMNS, '[object Float64Array]'],
    [STRING_COLUMNS, '[object Array]'],
  ];
  for (const [names, tag] of columns) {
    for (const c of names) {
      const col = (s as unknown as Record<string, { length: number }>)[c];
      expect([c, Object.prototype.toString.call(col), col.length]).toEqual([c, tag, s.count]);
    }
  }
  const all = columns.flatMap(([names]) => names);
  expect(Object.keys(s).sort()).toEqual([...all, 'count', 'stats', 'host', 'cgroup', 'detail', 'inspect'].sort());
  expect(Object.keys(s.stats!)).toEqual([...STATS_FIELDS]);
  expect(Object.keys(s.host!)).toEqual([...HOST_FIELDS]);
  expect(Object.keys(s.cgroup!)).toEqual([...CGROUP_FIELDS]);
  expect(Object.keys(s.detail!)).toEqual([...DETAIL_FIELDS]);
  expect(Object.keys(s.inspect![0])).toEqual([...INSPECT_FIELDS]);
});
