// The binding: converts JavaScript arguments and results. Everything it calls
// is plain C++ in the other files of this folder.
#include <cerrno>
#include <napi.h>

#include <csignal>
#include <memory>
#include <type_traits>

#include "cgroup_reader.h"
#include "fileio.h"
#include "fields.h"
#include "host_reader.h"
#include "proc_reader.h"
#include "process_ops.h"
#include "signal.h"

namespace {

using spmon::Field;
using spmon::ProcRecord;
using namespace spmon::fields;

std::string stringOption(const Napi::Object& o, const char* key, const char* dflt) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string(dflt);
}

bool boolOption(const Napi::Object& o, const char* key, bool dflt) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}

// Numbers from a typed array of type T or a plain array (other entries are skipped);
// false when the option is neither.
template <typename Typed, typename T>
bool numbersOption(const Napi::Object& o, const char* key, napi_typedarray_type type, std::vector<T>* out) {
  Napi::Value v = o.Get(key);
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type) {
    Typed a = v.As<Typed>();
    out->assign(a.Data(), a.Data() + a.ElementLength());
    return true;
  }
  if (!v.IsArray()) return false;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value x = a.Get(i);
    if (!x.IsNumber()) continue;
    if constexpr (std::is_same<T, int32_t>::value) out->push_back(x.As<Napi::Number>().Int32Value());
    else out->push_back(x.As<Napi::Number>().DoubleValue());
  }
  return true;
}

// ---- Conversion, one loop per kind of table.

Napi::Value stringOrNull(Napi::Env env, const std::string* s) {
  return s ? Napi::Value(Napi::String::New(env, *s)) : env.Null();
}

template <typename T, size_t N>
Napi::Object toObject(Napi::Env env, const T& x, const Field<T> (&fields)[N]) {
  Napi::Object o = Napi::Object::New(env);
  for (const Field<T>& f : fields) {
    if (f.number) {
      o.Set(f.name, Napi::Number::New(env, f.number(x)));
    } else if (f.text) {
      o.Set(f.name, stringOrNull(env, f.text(x)));
    } else {
      const std::vector<std::string>* l = f.list(x);
      if (!l) {
        o.Set(f.name, env.Null());
        continue;
      }
      Napi::Array a = Napi::Array::New(env, l->size());
      for (size_t i = 0; i < l->size(); i++) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, (*l)[i]));
      o.Set(f.name, a);
    }
  }
  return o;
}

// Every column of the records onto out.
void setColumns(Napi::Env env, const std::vector<ProcRecord>& recs, Napi::Object out) {
  const size_t n = recs.size();
  for (const auto& c : kInt32Columns) {
    Napi::Int32Array a = Napi::Int32Array::New(env, n);
    int32_t* d = a.Data();
    for (size_t i = 0; i < n; i++) d[i] = recs[i].*c.second;
    out.Set(c.first, a);
  }
  for (const auto& c : kUint8Columns) {
    Napi::Uint8Array a = Napi::Uint8Array::New(env, n);
    uint8_t* d = a.Data();
    for (size_t i = 0; i < n; i++) d[i] = c.second(recs[i]);
    out.Set(c.first, a);
  }
  for (const auto& c : kFloat64Columns) {
    Napi::Float64Array a = Napi::Float64Array::New(env, n);
    double* d = a.Data();
    for (size_t i = 0; i < n; i++) d[i] = recs[i].*c.second;
    out.Set(c.first, a);
  }
  for (const auto& c : kStringColumns) {
    Napi::Array a = Napi::Array::New(env, n);
    for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), stringOrNull(env, c.second(recs[i])));
    out.Set(c.first, a);
  }
}

template <typename A, typename B>
const char* nameOf(const std::pair<A, B>& column) {
  return column.first;
}
template <typename T>
const char* nameOf(const Field<T>& field) {
  return field.name;
}

template <typename Table>
Napi::Array namesOf(Napi::Env env, const Table& table) {
  Napi::Array a = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& entry : table) a.Set(i++, Napi::String::New(env, nameOf(entry)));
  return a;
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
    Napi::Value workers = opts.Get("smapsWorkers");
    reader_ = std::make_unique<spmon::ProcReader>(stringOption(opts, "procRoot", "/proc"),
                                                  held.IsNumber() ? held.As<Napi::Number>().DoubleValue() : -1,
                                                  workers.IsNumber() ? workers.As<Napi::Number>().Int32Value() : -1);
    std::string cgroupRoot = stringOption(opts, "cgroupRoot", "/sys/fs/cgroup");
    cgroup_ = std::make_unique<spmon::CgroupReader>(reader_->procRoot(), cgroupRoot);
    host_ = std::make_unique<spmon::HostReader>(reader_->procRoot());
  }

 private:
  Napi::Value Sample(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object opts = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
    spmon::ReadGroups g;
    for (const auto& group : kReadGroups) g.*group.second = boolOption(opts, group.first, true);
    // smapsPids: read smaps only for these pids, in this order; smapsCostMs: what each is
    // expected to cost; smapsBudgetMs: the time for those reads (see SmapsPlan).
    spmon::SmapsPlan plan;
    plan.limited = numbersOption<Napi::Int32Array>(opts, "smapsPids", napi_int32_array, &plan.order);
    numbersOption<Napi::Float64Array>(opts, "smapsCostMs", napi_float64_array, &plan.costMs);
    Napi::Value bud = opts.Get("smapsBudgetMs");
    if (bud.IsNumber()) plan.budgetMs = bud.As<Napi::Number>().DoubleValue();
    spmon::SampleStats stats;
    const std::string* procStat = nullptr;  // read by the sample for its fork count: the host's figures too
    if (boolOption(opts, "processes", true)) {
      reader_->sample(g, plan, &recs_, &stats);
      procStat = reader_->procStat();
    } else {
      recs_.clear();
    }

    Napi::Object out = Napi::Object::New(env);
    out.Set("count", Napi::Number::New(env, static_cast<double>(recs_.size())));
    out.Set("stats", toObject(env, stats, kStatsFields));
    setColumns(env, recs_, out);
    // Details of one process (the dashboard's selection), read in the same call.
    Napi::Value dp = opts.Get("detailPid");
    if (dp.IsNumber())
      out.Set("detail", toObject(env, spmon::readProcessDetail(reader_->procRoot(), dp.As<Napi::Number>().Int32Value()),
                                 kDetailFields));
    // Candidate agent processes: cwd and open files, read only for these pids.
    Napi::Value ip = opts.Get("inspectPids");
    if (ip.IsArray()) {
      Napi::Array a = ip.As<Napi::Array>();
      Napi::Array res = Napi::Array::New(env, a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value v = a.Get(i);
        if (!v.IsNumber()) continue;
        res.Set(i, toObject(env, spmon::readProcessFiles(reader_->procRoot(), v.As<Napi::Number>().Int32Value()),
                            kInspectFields));
      }
      out.Set("inspect", res);
    }
    if (boolOption(opts, "host", true)) out.Set("host", toObject(env, host_->read(procStat), kHostFields));
    if (boolOption(opts, "cgroup", true)) out.Set("cgroup", toObject(env, cgroup_->read(), kCgroupFields));
    return out;
  }

  std::unique_ptr<spmon::ProcReader> reader_;
  std::unique_ptr<spmon::CgroupReader> cgroup_;
  std::unique_ptr<spmon::HostReader> host_;
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

// The supervisor's kernel calls (process_ops.h); each returns plain values, errors as errno names.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  int err = 0;
  bool ok = spmon::setChildSubreaper(&err);
  return ok ? Napi::Value(Napi::Boolean::New(info.Env(), true)) : Napi::Value(Napi::Number::New(info.Env(), err));
}

Napi::Value ReapChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "reapChild(pid)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  spmon::ReapResult r = spmon::reapChild(info[0].As<Napi::Number>().Int32Value());
  Napi::Object o = Napi::Object::New(env);
  o.Set("status", r.status == 1 ? "reaped" : r.status == 0 ? "running" : r.err == ECHILD ? "not-child" : "error");
  o.Set("exitCode", r.status == 1 && r.signal == 0 ? Napi::Value(Napi::Number::New(env, r.exitCode)) : env.Null());
  o.Set("signal", r.status == 1 && r.signal != 0 ? Napi::Value(Napi::Number::New(env, r.signal)) : env.Null());
  o.Set("errno", r.err);
  return o;
}

Napi::Value PunchHole(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "punchHole(fd, offset, length)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int err = 0;
  bool ok = spmon::punchHole(info[0].As<Napi::Number>().Int32Value(), static_cast<int64_t>(info[1].As<Napi::Number>().DoubleValue()),
                             static_cast<int64_t>(info[2].As<Napi::Number>().DoubleValue()), &err);
  return Napi::Number::New(env, ok ? 0 : err);
}

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "peerCredentials(fd)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  spmon::PeerCredentials p = spmon::peerCredentials(info[0].As<Napi::Number>().Int32Value());
  if (!p.ok) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", p.pid);
  o.Set("uid", p.uid);
  o.Set("gid", p.gid);
  return o;
}

Napi::Value ProcessStartTicks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "processStartTicks(pid[, procRoot])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string procRoot = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "/proc";
  uint64_t t = 0;
  if (!spmon::processStartTicks(procRoot, info[0].As<Napi::Number>().Int32Value(), &t)) return env.Null();
  return Napi::Number::New(env, static_cast<double>(t));
}

// cgroupPids(dir) -> Int32Array | null: the pids charged to a cgroup and the ones below it.
Napi::Value CgroupPids(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "cgroupPids(dir)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int32_t> pids;
  if (!spmon::cgroupPids(info[0].As<Napi::String>().Utf8Value(), 16, 1 << 20, &pids)) return env.Null();
  Napi::Int32Array a = Napi::Int32Array::New(env, pids.size());
  for (size_t i = 0; i < pids.size(); i++) a[i] = pids[i];
  return a;
}

// terminalSize(fd) -> { columns, rows } | null: null when fd is not a terminal; a size the terminal does not
// give (0) is null.
Napi::Value TerminalSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "terminalSize(fd)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int columns = 0, rows = 0;
  if (!spmon::terminalSize(info[0].As<Napi::Number>().Int32Value(), &columns, &rows)) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("columns", columns > 0 ? Napi::Value(Napi::Number::New(env, columns)) : env.Null());
  o.Set("rows", rows > 0 ? Napi::Value(Napi::Number::New(env, rows)) : env.Null());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Reader", ReaderWrap::Init(env));
  Napi::Function hc = ProcessHandleWrap::Init(env);
  handleCtor = new Napi::FunctionReference(Napi::Persistent(hc));
  env.SetInstanceData(handleCtor);
  exports.Set("openProcess", Napi::Function::New(env, OpenProcess));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper));
  exports.Set("reapChild", Napi::Function::New(env, ReapChild));
  exports.Set("punchHole", Napi::Function::New(env, PunchHole));
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials));
  exports.Set("processStartTicks", Napi::Function::New(env, ProcessStartTicks));
  exports.Set("cgroupPids", Napi::Function::New(env, CgroupPids));
  exports.Set("terminalSize", Napi::Function::New(env, TerminalSize));
  // The names of every column and field sample() returns, from the tables above.
  Napi::Object fields = Napi::Object::New(env);
  fields.Set("int32", namesOf(env, kInt32Columns));
  fields.Set("uint8", namesOf(env, kUint8Columns));
  fields.Set("float64", namesOf(env, kFloat64Columns));
  fields.Set("string", namesOf(env, kStringColumns));
  fields.Set("stats", namesOf(env, kStatsFields));
  fields.Set("host", namesOf(env, kHostFields));
  fields.Set("cgroup", namesOf(env, kCgroupFields));
  fields.Set("detail", namesOf(env, kDetailFields));
  fields.Set("inspect", namesOf(env, kInspectFields));
  exports.Set("fields", fields);
  return exports;
}

}  // namespace

NODE_API_MODULE(spmon, Init)
