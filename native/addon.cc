// The binding: converts JavaScript arguments and results. Everything it calls
// is plain C++ in the other files of this folder.
#include <napi.h>

#include <csignal>
#include <memory>

#include "cgroup_reader.h"
#include "host_reader.h"
#include "proc_reader.h"
#include "signal.h"

namespace {

using spmon::ProcRecord;

std::string stringOption(const Napi::Object& o, const char* key, const char* dflt) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string(dflt);
}

bool boolOption(const Napi::Object& o, const char* key, bool dflt) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}

// One Float64Array per numeric field of the records (NaN = unknown).
Napi::Float64Array column(Napi::Env env, const std::vector<ProcRecord>& recs, double ProcRecord::*field) {
  Napi::Float64Array a = Napi::Float64Array::New(env, recs.size());
  double* d = a.Data();
  for (size_t i = 0; i < recs.size(); i++) d[i] = recs[i].*field;
  return a;
}

const std::pair<const char*, double ProcRecord::*> kFloatColumns[] = {
    {"startTime", &ProcRecord::startTime},         {"utime", &ProcRecord::utime},
    {"stime", &ProcRecord::stime},                 {"threads", &ProcRecord::threads},
    {"uid", &ProcRecord::uid},                     {"vmSize", &ProcRecord::vmSize},
    {"statmResident", &ProcRecord::statmResident}, {"statmShared", &ProcRecord::statmShared},
    {"rssAnon", &ProcRecord::rssAnon},             {"rssFile", &ProcRecord::rssFile},
    {"rssShmem", &ProcRecord::rssShmem},           {"vmSwap", &ProcRecord::vmSwap},
    {"readBytes", &ProcRecord::readBytes},         {"writeBytes", &ProcRecord::writeBytes},
    {"rchar", &ProcRecord::rchar},                 {"wchar", &ProcRecord::wchar},
    {"rss", &ProcRecord::rss},                     {"pss", &ProcRecord::pss},
    {"privateClean", &ProcRecord::privateClean},   {"privateDirty", &ProcRecord::privateDirty},
    {"swap", &ProcRecord::swap},                   {"swapPss", &ProcRecord::swapPss},
};

template <typename Get>
Napi::Int32Array intColumn(Napi::Env env, const std::vector<ProcRecord>& recs, Get get) {
  Napi::Int32Array a = Napi::Int32Array::New(env, recs.size());
  int32_t* d = a.Data();
  for (size_t i = 0; i < recs.size(); i++) d[i] = get(recs[i]);
  return a;
}

Napi::Object hostObject(Napi::Env env, const spmon::HostInfo& h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("cpuUser", h.cpu.user);
  o.Set("cpuNice", h.cpu.nice);
  o.Set("cpuSystem", h.cpu.system);
  o.Set("cpuIdle", h.cpu.idle);
  o.Set("cpuIowait", h.cpu.iowait);
  o.Set("cpuIrq", h.cpu.irq);
  o.Set("cpuSoftirq", h.cpu.softirq);
  o.Set("cpuSteal", h.cpu.steal);
  o.Set("bootTime", h.cpu.bootTime);
  o.Set("cpuCount", h.cpuCount);
  o.Set("memTotal", h.mem.memTotal);
  o.Set("memFree", h.mem.memFree);
  o.Set("memAvailable", h.mem.memAvailable);
  o.Set("buffers", h.mem.buffers);
  o.Set("cached", h.mem.cached);
  o.Set("shmem", h.mem.shmem);
  o.Set("swapTotal", h.mem.swapTotal);
  o.Set("swapFree", h.mem.swapFree);
  o.Set("uptimeSec", h.uptimeSec);
  o.Set("clockTicks", static_cast<double>(h.clockTicks));
  o.Set("pageSize", static_cast<double>(h.pageSize));
  return o;
}

Napi::Object cgroupObject(Napi::Env env, const spmon::CgroupInfo& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", c.version);
  o.Set("path", c.version ? Napi::Value(Napi::String::New(env, c.path)) : env.Null());
  o.Set("dir", c.version ? Napi::Value(Napi::String::New(env, c.dir)) : env.Null());
  o.Set("memCurrent", c.memCurrent);
  o.Set("memLimit", c.memLimit);
  o.Set("memHigh", c.memHigh);
  o.Set("anon", c.anon);
  o.Set("file", c.file);
  o.Set("shmem", c.shmem);
  o.Set("inactiveFile", c.inactiveFile);
  o.Set("oomKills", c.oomKills);
  o.Set("cpuQuotaCores", c.cpuQuotaCores);
  o.Set("cpuUsageUsec", c.cpuUsageUsec);
  o.Set("pidsCurrent", c.pidsCurrent);
  o.Set("pidsMax", c.pidsMax);
  return o;
}

// A process chosen by the user, held for signalling. Closes its pidfd when
// closed or collected.
class ProcessHandleWrap : public Napi::ObjectWrap<ProcessHandleWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "ProcessHandle",
                       {InstanceMethod("signal", &ProcessHandleWrap::Signal),
                        InstanceMethod("exited", &ProcessHandleWrap::Exited),
                        InstanceMethod("close", &ProcessHandleWrap::Close),
                        InstanceAccessor("pid", &ProcessHandleWrap::Pid, nullptr),
                        InstanceAccessor("usesPidfd", &ProcessHandleWrap::UsesPidfd, nullptr)});
  }
  explicit ProcessHandleWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProcessHandleWrap>(info) {}
  ~ProcessHandleWrap() override { spmon::closeProcess(&handle_); }

  spmon::ProcessHandle handle_;
  std::string procRoot_ = "/proc";

 private:
  Napi::Value Signal(const Napi::CallbackInfo& info) {
    int sig = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : SIGTERM;
    if (closed_) return Napi::String::New(info.Env(), "gone");
    return Napi::String::New(info.Env(), spmon::signalResultName(spmon::signalProcess(procRoot_, handle_, sig)));
  }
  Napi::Value Exited(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), closed_ || spmon::processExited(procRoot_, handle_));
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    spmon::closeProcess(&handle_);
    closed_ = true;
    return info.Env().Undefined();
  }
  Napi::Value Pid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), handle_.pid); }
  Napi::Value UsesPidfd(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), handle_.fd >= 0); }
  bool closed_ = false;
};

// A sampler bound to one /proc and one cgroup root. It keeps caches across
// calls, so a long-lived Reader is cheaper than fresh ones.
class ReaderWrap : public Napi::ObjectWrap<ReaderWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Reader", {InstanceMethod("sample", &ReaderWrap::Sample)});
  }
  explicit ReaderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ReaderWrap>(info) {
    Napi::Object opts = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(info.Env());
    Napi::Value held = opts.Get("maxHeldFds");
    reader_ = std::make_unique<spmon::ProcReader>(stringOption(opts, "procRoot", "/proc"),
                                                  held.IsNumber() ? held.As<Napi::Number>().DoubleValue() : -1);
    cgroupRoot_ = stringOption(opts, "cgroupRoot", "/sys/fs/cgroup");
  }

 private:
  Napi::Value Sample(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object opts = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
    spmon::ReadGroups g;
    bool processes = boolOption(opts, "processes", true);
    g.statm = boolOption(opts, "statm", true);
    g.status = boolOption(opts, "status", true);
    g.io = boolOption(opts, "io", true);
    g.smaps = boolOption(opts, "smaps", true);
    g.cmdline = boolOption(opts, "cmdline", true);
    bool wantHost = boolOption(opts, "host", true);
    bool wantCgroup = boolOption(opts, "cgroup", true);
    // smapsPids: read smaps only for these pids, in this order of priority;
    // smapsBudgetMs: and stop starting new smaps reads after this long.
    spmon::SmapsPlan plan;
    Napi::Value sp = opts.Get("smapsPids");
    if (sp.IsTypedArray() && sp.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
      Napi::Int32Array a = sp.As<Napi::Int32Array>();
      plan.order.assign(a.Data(), a.Data() + a.ElementLength());
      plan.limited = true;
    } else if (sp.IsArray()) {
      Napi::Array a = sp.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value v = a.Get(i);
        if (v.IsNumber()) plan.order.push_back(v.As<Napi::Number>().Int32Value());
      }
      plan.limited = true;
    }
    Napi::Value bud = opts.Get("smapsBudgetMs");
    if (bud.IsNumber()) plan.budgetMs = bud.As<Napi::Number>().DoubleValue();
    spmon::SampleStats stats;
    if (processes) reader_->sample(g, plan, &recs_, &stats);
    else recs_.clear();

    Napi::Object out = Napi::Object::New(env);
    const auto& r = recs_;
    out.Set("count", Napi::Number::New(env, static_cast<double>(r.size())));
    Napi::Object st = Napi::Object::New(env);
    st.Set("walkMs", stats.walkMs);
    st.Set("smapsMs", stats.smapsMs);
    st.Set("smapsRead", stats.smapsRead);
    st.Set("smapsSkipped", stats.smapsSkipped);
    st.Set("heldProcesses", stats.heldProcesses);
    st.Set("statusRead", stats.statusRead);
    st.Set("rootErrno", stats.rootErrno);
    st.Set("fdErrors", stats.fdErrors);
    out.Set("stats", st);
    out.Set("pid", intColumn(env, r, [](const ProcRecord& p) { return p.pid; }));
    out.Set("ppid", intColumn(env, r, [](const ProcRecord& p) { return p.ppid; }));
    out.Set("pgrp", intColumn(env, r, [](const ProcRecord& p) { return p.pgrp; }));
    out.Set("session", intColumn(env, r, [](const ProcRecord& p) { return p.session; }));
    out.Set("tty", intColumn(env, r, [](const ProcRecord& p) { return p.tty; }));
    Napi::Uint8Array state = Napi::Uint8Array::New(env, r.size());
    Napi::Uint8Array flags = Napi::Uint8Array::New(env, r.size());
    for (size_t i = 0; i < r.size(); i++) {
      state[i] = static_cast<uint8_t>(r[i].state);
      flags[i] = (r[i].kernelThread ? 1 : 0) | (r[i].smapsFromFallback ? 2 : 0) | (r[i].smapsAttempted ? 4 : 0) |
                 (r[i].statusRead ? 8 : 0);
    }
    out.Set("state", state);
    out.Set("flags", flags);
    for (const auto& c : kFloatColumns) out.Set(c.first, column(env, r, c.second));
    Napi::Array names = Napi::Array::New(env, r.size());
    Napi::Array cmdlines = Napi::Array::New(env, r.size());
    for (size_t i = 0; i < r.size(); i++) {
      names.Set(static_cast<uint32_t>(i), Napi::String::New(env, r[i].name));
      cmdlines.Set(static_cast<uint32_t>(i),
                   r[i].cmdline ? Napi::Value(Napi::String::New(env, *r[i].cmdline)) : env.Null());
    }
    out.Set("name", names);
    out.Set("cmdline", cmdlines);
    // Details of one process (the dashboard's selection), read in the same call.
    Napi::Value dp = opts.Get("detailPid");
    if (dp.IsNumber()) {
      int32_t pid = dp.As<Napi::Number>().Int32Value();
      spmon::ProcessDetail d = spmon::readProcessDetail(reader_->procRoot(), pid);
      Napi::Object o = Napi::Object::New(env);
      o.Set("pid", pid);
      o.Set("cgroup", d.cgroupKnown ? Napi::Value(Napi::String::New(env, d.cgroup)) : env.Null());
      o.Set("cwd", d.cwdKnown ? Napi::Value(Napi::String::New(env, d.cwd)) : env.Null());
      o.Set("exe", d.exeKnown ? Napi::Value(Napi::String::New(env, d.exe)) : env.Null());
      out.Set("detail", o);
    }
    // Candidate agent processes: cwd and open files, read only for these pids.
    Napi::Value ip = opts.Get("inspectPids");
    if (ip.IsArray()) {
      Napi::Array a = ip.As<Napi::Array>();
      Napi::Array res = Napi::Array::New(env, a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value v = a.Get(i);
        if (!v.IsNumber()) continue;
        spmon::ProcessFiles f = spmon::readProcessFiles(reader_->procRoot(), v.As<Napi::Number>().Int32Value());
        Napi::Object o = Napi::Object::New(env);
        o.Set("pid", f.pid);
        o.Set("cwd", f.cwdKnown ? Napi::Value(Napi::String::New(env, f.cwd)) : env.Null());
        if (f.fdsKnown) {
          Napi::Array files = Napi::Array::New(env, f.files.size());
          for (size_t k = 0; k < f.files.size(); k++) files.Set(static_cast<uint32_t>(k), Napi::String::New(env, f.files[k]));
          o.Set("files", files);
        } else {
          o.Set("files", env.Null());
        }
        res.Set(i, o);
      }
      out.Set("inspect", res);
    }
    if (wantHost) out.Set("host", hostObject(env, spmon::readHost(reader_->procRoot())));
    if (wantCgroup) out.Set("cgroup", cgroupObject(env, spmon::readCgroup(reader_->procRoot(), cgroupRoot_)));
    return out;
  }

  std::unique_ptr<spmon::ProcReader> reader_;
  std::string cgroupRoot_;
  std::vector<ProcRecord> recs_;
};

Napi::FunctionReference* handleCtor = nullptr;

// openProcess(pid, startTime, procRoot?) -> { status, handle | null }
Napi::Value OpenProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "openProcess(pid, startTime[, procRoot])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int32_t pid = info[0].As<Napi::Number>().Int32Value();
  double start = info[1].As<Napi::Number>().DoubleValue();
  std::string procRoot = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "/proc";
  spmon::ProcessHandle h;
  spmon::SignalResult r = spmon::openProcess(procRoot, pid, start < 0 ? 0 : static_cast<uint64_t>(start), &h);
  Napi::Object out = Napi::Object::New(env);
  out.Set("status", spmon::signalResultName(r));
  if (r == spmon::SignalResult::Sent) {
    Napi::Object obj = handleCtor->New({});
    ProcessHandleWrap* w = ProcessHandleWrap::Unwrap(obj);
    w->handle_ = h;
    w->procRoot_ = procRoot;
    out.Set("status", "open");
    out.Set("handle", obj);
  } else {
    out.Set("handle", env.Null());
  }
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Reader", ReaderWrap::Init(env));
  Napi::Function hc = ProcessHandleWrap::Init(env);
  handleCtor = new Napi::FunctionReference(Napi::Persistent(hc));
  env.SetInstanceData(handleCtor);
  exports.Set("openProcess", Napi::Function::New(env, OpenProcess));
  return exports;
}

}  // namespace

NODE_API_MODULE(spmon, Init)
