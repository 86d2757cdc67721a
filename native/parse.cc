#include "parse.h"

#include <cmath>
#include <cstring>
#include <utility>
#include <limits>

namespace spmon {

double unknown() { return std::numeric_limits<double>::quiet_NaN(); }
bool isKnown(double v) { return !std::isnan(v); }

StatusFields::StatusFields() : rssAnon(unknown()), rssFile(unknown()), rssShmem(unknown()), vmSwap(unknown()) {}
IoFields::IoFields() : rchar(unknown()), wchar(unknown()), readBytes(unknown()), writeBytes(unknown()) {}
SmapsFields::SmapsFields()
    : rss(unknown()), pss(unknown()), privateClean(unknown()), privateDirty(unknown()), swap(unknown()),
      swapPss(unknown()) {}
MeminfoFields::MeminfoFields()
    : memTotal(unknown()), memFree(unknown()), memAvailable(unknown()), buffers(unknown()), cached(unknown()),
      swapTotal(unknown()), swapFree(unknown()), shmem(unknown()) {}
ProcStatFields::ProcStatFields()
    : user(unknown()), nice(unknown()), system(unknown()), idle(unknown()), iowait(unknown()), irq(unknown()),
      softirq(unknown()), steal(unknown()), bootTime(unknown()), forks(unknown()) {}

bool parseU64(const char* s, size_t len, uint64_t* out) {
  if (len == 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool parseI64(const char* s, size_t len, int64_t* out) {
  bool neg = len > 0 && s[0] == '-';
  uint64_t u;
  if (!parseU64(s + (neg ? 1 : 0), len - (neg ? 1 : 0), &u)) return false;
  if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
  return true;
}

namespace {

// Split the next whitespace-separated token from [*pos, len).
bool nextToken(const char* buf, size_t len, size_t* pos, const char** tok, size_t* tokLen) {
  size_t i = *pos;
  while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n')) i++;
  if (i >= len) return false;
  size_t s = i;
  while (i < len && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n') i++;
  *tok = buf + s;
  *tokLen = i - s;
  *pos = i;
  return true;
}

bool keyIs(const char* key, size_t keyLen, const char* lit) {
  size_t n = std::strlen(lit);
  return keyLen == n && std::memcmp(key, lit, n) == 0;
}

// "Key:   123 kB" lines. fn(key, keyLen, value, inKb) for each line whose value
// is a whole number ending at a blank or the end of the line; with a " kB" unit
// the value is in bytes and inKb is true. A line not ended by '\n' was cut off
// (the number may be cut too), and "0x10", "1e9" or "12abc" are not numbers: such
// lines are skipped, so the field stays unknown instead of becoming a wrong number.
template <typename Fn>
void forEachColonKeyValue(const char* buf, size_t len, Fn fn) {
  size_t i = 0;
  while (i < len) {
    size_t eol = i;
    while (eol < len && buf[eol] != '\n') eol++;
    if (eol == len) break;  // no newline: a truncated last line
    size_t colon = i;
    while (colon < eol && buf[colon] != ':') colon++;
    if (colon < eol && colon > i) {
      size_t v = colon + 1;
      while (v < eol && (buf[v] == ' ' || buf[v] == '\t')) v++;
      size_t ve = v;
      while (ve < eol && buf[ve] >= '0' && buf[ve] <= '9') ve++;
      uint64_t n;
      bool ends = ve == eol || buf[ve] == ' ' || buf[ve] == '\t';
      if (ends && parseU64(buf + v, ve - v, &n)) {
        double val = static_cast<double>(n);
        size_t u = ve;
        while (u < eol && buf[u] == ' ') u++;
        bool kb = eol - u >= 2 && buf[u] == 'k' && buf[u + 1] == 'B' && (eol - u == 2 || buf[u + 2] == ' ');
        if (kb) val *= 1024.0;
        fn(buf + i, colon - i, val, kb);
      }
    }
    i = eol + 1;
  }
}

void addTo(double* field, double v) { *field = isKnown(*field) ? *field + v : v; }

}  // namespace

bool parseStat(const char* buf, size_t len, StatFields* out) {
  const char* open = static_cast<const char*>(std::memchr(buf, '(', len));
  if (!open) return false;
  // The last ')' ends comm: a name may itself hold ')' and spaces.
  const char* close = nullptr;
  for (size_t i = len; i > static_cast<size_t>(open - buf); i--) {
    if (buf[i - 1] == ')') {
      close = buf + i - 1;
      break;
    }
  }
  if (!close || close <= open) return false;
  out->comm.assign(open + 1, close - open - 1);
  size_t pos = static_cast<size_t>(close - buf) + 1;
  // Fields from 3 (state) onward.
  const char* tok;
  size_t tl;
  int field = 3;
  bool gotStart = false;
  while (field <= 24 && nextToken(buf, len, &pos, &tok, &tl)) {
    uint64_t u = 0;
    int64_t s = 0;
    switch (field) {
      case 3:
        if (tl != 1) return false;
        out->state = tok[0];
        break;
      case 4: if (!parseI64(tok, tl, &s)) return false; out->ppid = s; break;
      case 5: if (!parseI64(tok, tl, &s)) return false; out->pgrp = s; break;
      case 6: if (!parseI64(tok, tl, &s)) return false; out->session = s; break;
      case 7: if (!parseI64(tok, tl, &s)) return false; out->ttyNr = s; break;
      case 9: if (!parseU64(tok, tl, &u)) return false; out->flags = u; break;
      case 10: if (parseU64(tok, tl, &u)) out->minflt = u; break;
      case 12: if (parseU64(tok, tl, &u)) out->majflt = u; break;
      case 14: if (!parseU64(tok, tl, &u)) return false; out->utime = u; break;
      case 15: if (!parseU64(tok, tl, &u)) return false; out->stime = u; break;
      case 20: if (!parseI64(tok, tl, &s)) return false; out->numThreads = s; break;
      case 22:
        if (!parseU64(tok, tl, &u)) return false;
        out->startTime = u;
        gotStart = true;
        break;
      case 23: if (parseU64(tok, tl, &u)) out->vsize = u; break;
      case 24: if (parseI64(tok, tl, &s)) out->rssPages = s; break;
      default: break;
    }
    field++;
  }
  return gotStart;
}

bool parseStatm(const char* buf, size_t len, StatmFields* out) {
  size_t pos = 0;
  const char* tok;
  size_t tl;
  uint64_t v[3];
  for (int i = 0; i < 3; i++) {
    if (!nextToken(buf, len, &pos, &tok, &tl) || !parseU64(tok, tl, &v[i])) return false;
  }
  out->size = v[0];
  out->resident = v[1];
  out->shared = v[2];
  return true;
}

void parseStatus(const char* buf, size_t len, StatusFields* out) {
  forEachColonKeyValue(buf, len, [out](const char* k, size_t kl, double v, bool kb) {
    if (keyIs(k, kl, "Uid")) {
      if (!kb && v <= 4294967295.0) out->uid = static_cast<int64_t>(v);
      return;
    }
    if (!kb) return;  // sizes carry "kB"; without it the line is cut or garbage
    if (keyIs(k, kl, "RssAnon")) out->rssAnon = v;
    else if (keyIs(k, kl, "RssFile")) out->rssFile = v;
    else if (keyIs(k, kl, "RssShmem")) out->rssShmem = v;
    else if (keyIs(k, kl, "VmSwap")) out->vmSwap = v;
  });
}

void parseIo(const char* buf, size_t len, IoFields* out) {
  forEachColonKeyValue(buf, len, [out](const char* k, size_t kl, double v, bool kb) {
    if (kb) return;  // io counters have no unit
    if (keyIs(k, kl, "rchar")) out->rchar = v;
    else if (keyIs(k, kl, "wchar")) out->wchar = v;
    else if (keyIs(k, kl, "read_bytes")) out->readBytes = v;
    else if (keyIs(k, kl, "write_bytes")) out->writeBytes = v;
  });
}

void parseSmaps(const char* buf, size_t len, SmapsFields* out) {
  // Mapping header lines ("addr-addr perms ...") have no "Key:" shape with a
  // number after the colon, so they are skipped by the key/value walk.
  forEachColonKeyValue(buf, len, [out](const char* k, size_t kl, double v, bool kb) {
    if (!kb) return;  // every size in smaps carries "kB"
    if (keyIs(k, kl, "Rss")) addTo(&out->rss, v);
    else if (keyIs(k, kl, "Pss")) addTo(&out->pss, v);
    else if (keyIs(k, kl, "Private_Clean")) addTo(&out->privateClean, v);
    else if (keyIs(k, kl, "Private_Dirty")) addTo(&out->privateDirty, v);
    else if (keyIs(k, kl, "Swap")) addTo(&out->swap, v);
    else if (keyIs(k, kl, "SwapPss")) addTo(&out->swapPss, v);
    else return;
    out->any = true;
  });
}

void parseMeminfo(const char* buf, size_t len, MeminfoFields* out) {
  forEachColonKeyValue(buf, len, [out](const char* k, size_t kl, double v, bool kb) {
    if (!kb) return;  // the fields read here all carry "kB"
    if (keyIs(k, kl, "MemTotal")) out->memTotal = v;
    else if (keyIs(k, kl, "MemFree")) out->memFree = v;
    else if (keyIs(k, kl, "MemAvailable")) out->memAvailable = v;
    else if (keyIs(k, kl, "Buffers")) out->buffers = v;
    else if (keyIs(k, kl, "Cached")) out->cached = v;
    else if (keyIs(k, kl, "SwapTotal")) out->swapTotal = v;
    else if (keyIs(k, kl, "SwapFree")) out->swapFree = v;
    else if (keyIs(k, kl, "Shmem")) out->shmem = v;
  });
}

void parseProcStat(const char* buf, size_t len, ProcStatFields* out) {
  size_t i = 0;
  while (i < len) {
    size_t eol = i;
    while (eol < len && buf[eol] != '\n') eol++;
    size_t n = eol - i;
    const char* line = buf + i;
    if (n > 4 && std::memcmp(line, "cpu ", 4) == 0) {
      size_t pos = 4;
      double* dst[] = {&out->user, &out->nice, &out->system, &out->idle,
                       &out->iowait, &out->irq, &out->softirq, &out->steal};
      const char* tok;
      size_t tl;
      for (double* d : dst) {
        uint64_t v;
        if (!nextToken(line, n, &pos, &tok, &tl) || !parseU64(tok, tl, &v)) break;
        *d = static_cast<double>(v);
      }
    } else if (n > 3 && std::memcmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
      out->cpuCount++;
    } else {
      // "<key> <number>" lines: btime (seconds since the epoch), processes (forks since boot).
      const std::pair<const char*, double*> keyed[] = {{"btime ", &out->bootTime}, {"processes ", &out->forks}};
      for (const auto& k : keyed) {
        const size_t kl = std::strlen(k.first);
        if (n <= kl || std::memcmp(line, k.first, kl) != 0) continue;
        size_t pos = kl;
        const char* tok;
        size_t tl;
        uint64_t v;
        if (nextToken(line, n, &pos, &tok, &tl) && parseU64(tok, tl, &v)) *k.second = static_cast<double>(v);
      }
    }
    i = eol + 1;
  }
}

bool parseSchedstat(const char* buf, size_t len, uint64_t* runNs, uint64_t* timeslices) {
  uint64_t v[3];
  size_t i = 0;
  for (int k = 0; k < 3; k++) {
    const size_t start = i;
    while (i < len && buf[i] >= '0' && buf[i] <= '9') i++;
    const char end = k < 2 ? ' ' : '\n';
    if (i == start || (i < len ? buf[i] != end : k < 2) || !parseU64(buf + start, i - start, &v[k])) return false;
    i++;
  }
  *runNs = v[0];
  *timeslices = v[2];
  return true;
}

double parseUptime(const char* buf, size_t len) {
  size_t i = 0;
  uint64_t whole = 0, frac = 0;
  size_t s = i;
  while (i < len && buf[i] >= '0' && buf[i] <= '9') i++;
  if (!parseU64(buf + s, i - s, &whole)) return unknown();
  double v = static_cast<double>(whole);
  if (i < len && buf[i] == '.') {
    size_t fs = ++i;
    while (i < len && buf[i] >= '0' && buf[i] <= '9' && i - fs < 9) i++;
    if (i > fs && parseU64(buf + fs, i - fs, &frac)) v += static_cast<double>(frac) / std::pow(10.0, static_cast<double>(i - fs));
  }
  return v;
}

bool parseSingleNumber(const char* buf, size_t len, double* out) {
  size_t s = 0;
  while (s < len && (buf[s] == ' ' || buf[s] == '\t')) s++;
  size_t e = s;
  while (e < len && buf[e] >= '0' && buf[e] <= '9') e++;
  size_t t = e;
  while (t < len && (buf[t] == '\n' || buf[t] == ' ' || buf[t] == '\r')) t++;
  if (t != len) return false;
  uint64_t v;
  if (!parseU64(buf + s, e - s, &v)) return false;
  *out = static_cast<double>(v);
  return true;
}

double parseCgroupLimit(const char* buf, size_t len, bool* isMax) {
  *isMax = false;
  size_t e = len;
  while (e > 0 && (buf[e - 1] == '\n' || buf[e - 1] == ' ')) e--;
  if (e == 3 && std::memcmp(buf, "max", 3) == 0) {
    *isMax = true;
    return unknown();
  }
  // v1 writes -1 for "no limit" in cfs_quota_us; callers handle that file apart.
  double v;
  if (!parseSingleNumber(buf, e, &v)) return unknown();
  if (v >= 4611686018427387904.0) {  // 2^62: v1's page-rounded LONG_MAX and friends
    *isMax = true;
    return unknown();
  }
  return v;
}

double parseCpuMax(const char* buf, size_t len) {
  size_t pos = 0;
  const char* tok;
  size_t tl;
  if (!nextToken(buf, len, &pos, &tok, &tl)) return unknown();
  if (tl == 3 && std::memcmp(tok, "max", 3) == 0) return unknown();
  uint64_t quota, period = 100000;
  if (!parseU64(tok, tl, &quota)) return unknown();
  if (nextToken(buf, len, &pos, &tok, &tl) && !parseU64(tok, tl, &period)) return unknown();
  if (period == 0) return unknown();
  return static_cast<double>(quota) / static_cast<double>(period);
}

bool parseCgroupLine(const char* line, size_t len, CgroupLine* out) {
  const char* a = static_cast<const char*>(std::memchr(line, ':', len));
  if (!a) return false;
  size_t idLen = static_cast<size_t>(a - line);
  size_t rest = len - idLen - 1;
  const char* b = static_cast<const char*>(std::memchr(a + 1, ':', rest));
  if (!b) return false;
  size_t ctlLen = static_cast<size_t>(b - a - 1);
  size_t pathLen = len - idLen - 1 - ctlLen - 1;
  uint64_t id;
  if (!parseU64(line, idLen, &id) || pathLen == 0 || b[1] != '/') return false;
  if (std::memchr(line, '\n', len)) return false;  // one line, not two
  out->id.assign(line, idLen);
  out->controllers.assign(a + 1, ctlLen);
  out->path.assign(b + 1, pathLen);
  return true;
}

std::vector<CgroupLine> parseCgroupFile(const char* buf, size_t len) {
  std::vector<CgroupLine> lines;
  size_t i = 0;
  while (i < len) {
    const char* nl = static_cast<const char*>(std::memchr(buf + i, '\n', len - i));
    size_t e = nl ? static_cast<size_t>(nl - buf) : len;
    CgroupLine l;
    if (parseCgroupLine(buf + i, e - i, &l)) lines.push_back(std::move(l));
    i = e + 1;
  }
  return lines;
}

bool hasController(const std::string& list, const char* name) {
  size_t n = std::strlen(name);
  size_t i = 0;
  while (i <= list.size()) {
    size_t e = list.find(',', i);
    if (e == std::string::npos) e = list.size();
    if (e - i == n && list.compare(i, n, name) == 0) return true;
    i = e + 1;
  }
  return false;
}

bool processCgroupPath(const std::vector<CgroupLine>& lines, std::string* out) {
  const std::string* unified = nullptr;
  const std::string* memory = nullptr;
  for (const CgroupLine& l : lines) {
    if (l.unified()) unified = &l.path;
    else if (hasController(l.controllers, "memory")) memory = &l.path;
  }
  const std::string* pick = memory ? memory : unified;
  out->assign(pick ? *pick : std::string());
  return pick != nullptr;
}

std::string unescapeMountField(const char* s, size_t len) {
  std::string out;
  out.reserve(len);
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
        s[i + 3] <= '7') {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool parseMountinfoLine(const char* line, size_t len, MountLine* out) {
  // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
  size_t pos = 0;
  const char* tok;
  size_t tl;
  const char* fields[5];
  size_t lens[5];
  for (int i = 0; i < 5; i++) {
    if (!nextToken(line, len, &pos, &tok, &tl)) return false;
    fields[i] = tok;
    lens[i] = tl;
  }
  // Skip options and optional fields up to the lone "-".
  bool sep = false;
  while (nextToken(line, len, &pos, &tok, &tl)) {
    if (tl == 1 && tok[0] == '-') {
      sep = true;
      break;
    }
  }
  if (!sep) return false;
  const char* fsType;
  size_t fsLen;
  if (!nextToken(line, len, &pos, &fsType, &fsLen)) return false;
  const char* src;
  size_t srcLen;
  if (!nextToken(line, len, &pos, &src, &srcLen)) return false;
  const char* sup = "";
  size_t supLen = 0;
  nextToken(line, len, &pos, &sup, &supLen);
  out->root = unescapeMountField(fields[3], lens[3]);
  out->mountPoint = unescapeMountField(fields[4], lens[4]);
  out->fsType.assign(fsType, fsLen);
  out->superOptions.assign(sup, supLen);
  return true;
}

}  // namespace spmon
