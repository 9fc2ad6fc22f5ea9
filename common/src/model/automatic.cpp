#include "model/automatic.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <vector>

#include "checks/validate.hpp"
#include "dispatch/registry.hpp"

namespace tandem::detail {

namespace {

// The state in use, and a generation counter bumped on every replacement. A reader keeps the
// state it last read alive in a thread_local shared_ptr, so a replaced state is freed once no
// thread holds it: at most one old state per thread stays alive (use_profile in a loop no
// longer grows the process). The hot path is one atomic load when nothing changed.
struct Published {
  std::mutex mutex;
  std::shared_ptr<const ModelState> state;   // guarded by mutex
  std::atomic<std::uint64_t> generation{0};  // 0: nothing published yet
};
Published& published() {
  static auto* p = new Published();  // never destroyed: readers may run during exit
  return *p;
}

std::shared_ptr<const ModelState> publish(std::shared_ptr<const ModelState> s, bool only_if_none) {
  Published& p = published();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (only_if_none && p.state) return p.state;
  p.state = std::move(s);
  p.generation.fetch_add(1, std::memory_order_acq_rel);
  return p.state;
}

// The current state for this thread; nullptr before the first publication.
const ModelState* current() {
  thread_local std::shared_ptr<const ModelState> mine;
  thread_local std::uint64_t mine_generation = 0;
  Published& p = published();
  const std::uint64_t g = p.generation.load(std::memory_order_acquire);
  if (g != mine_generation) {
    std::lock_guard<std::mutex> lock(p.mutex);
    mine = p.state;
    mine_generation = p.generation.load(std::memory_order_relaxed);
  }
  return mine.get();
}

}  // namespace

std::uint64_t model_generation() noexcept {
  // Before the first publication the generation is 0; model_state() publishes on first use, and
  // a cached choice is only made after it. The cuda fault doubles it: a lost device changes what
  // is available.
  const std::uint64_t g = published().generation.load(std::memory_order_acquire);
  return 2 * g + (cuda_faulted() ? 1 : 0) + 2;
}

namespace {

std::shared_ptr<ModelState> load(const std::string& path) {
  auto s = std::make_shared<ModelState>();
  s->path = path;
  const Profile defaults = builtin_profile(this_machine());
  LoadResult r = load_profile_file(path, this_machine(), defaults);
  s->status = r.status;
  s->from_profile = r.profile.has_value();
  s->profile = r.profile ? std::move(*r.profile) : defaults;
  return s;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      std::string v = line.substr(line.find(':') + 1);
      while (!v.empty() && v.front() == ' ') v.erase(v.begin());
      return v;
    }
  }
  return "unknown CPU";
}

// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 ..." -> "550.54.15".
std::string nvidia_driver() {
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return "unknown";
  const auto k = line.find("Module");
  if (k == std::string::npos) return "unknown";
  std::string rest = line.substr(k + 6);
  const auto b = rest.find_first_not_of(' ');
  if (b == std::string::npos) return "unknown";
  rest = rest.substr(b);
  return rest.substr(0, rest.find(' '));
}

}  // namespace

const MachineKey& this_machine() {
  static const MachineKey key = [] {
    MachineKey k;
    k.cpu = cpu_model();
    const BackendSlot& omp = backend_slot(Backend::openmp);
    k.threads = omp.impl != nullptr ? omp.impl->machine_threads() : 1;
    const BackendSlot& cuda = backend_slot(Backend::cuda);
    k.gpu = cuda.impl != nullptr ? cuda.impl->device() : "none";
    k.driver = cuda.impl != nullptr ? nvidia_driver() : "none";
    return k;
  }();
  return key;
}

const ModelState& model_state() {
  if (const ModelState* s = current()) return *s;
  static std::once_flag once;
  std::call_once(once, [] {
    const MachineKey& key = this_machine();
    const std::string path = profile_path(std::getenv("TANDEM_PROFILE"),
                                          std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"), key);
    std::shared_ptr<ModelState> s = load(path);
    const bool warn = !s->from_profile && s->status != "not found";
    const std::shared_ptr<const ModelState> now = publish(std::move(s), true);
    if (warn && !now->from_profile) {
      std::fprintf(stderr, "tandem: warning: profile %s %s; automatic uses the built-in defaults\n",
                   printable(now->path).c_str(), printable(now->status).c_str());
    }
  });
  return *current();
}

std::shared_ptr<const ModelState> install_model(const std::string& path) {
  std::shared_ptr<ModelState> s;
  if (path.empty()) {
    s = std::make_shared<ModelState>();
    s->profile = builtin_profile(this_machine());
    s->status = "built-in defaults (no profile)";
  } else {
    s = load(path);
  }
  return publish(std::move(s), false);
}

std::shared_ptr<const ModelState> install_model(const Profile& p, const std::string& path) {
  auto s = std::make_shared<ModelState>();
  s->profile = p;
  s->from_profile = true;
  s->path = path;
  s->status = "loaded";
  return publish(std::move(s), false);
}

const Availability& availability(tandem::Workload workload, bool cpu_only) {
  // Per workload (a cuda module older than this library lacks the newer ones) and per kind of
  // call (a C++ callable runs on the CPU backends only).
  using Table = std::array<Availability, 2 * static_cast<std::size_t>(kWorkloadCount)>;
  const auto compute = [] {
    Table t{};
    for (tandem::Workload w : kAllWorkloads) {
      for (int cpu = 0; cpu < 2; ++cpu) {
        Availability& a = t[2 * static_cast<std::size_t>(w) + static_cast<std::size_t>(cpu)];
        for (Backend b : {Backend::serial, Backend::openmp, Backend::cuda}) {
          const auto i = static_cast<std::size_t>(b);
          const BackendSlot& slot = backend_slot(b);
          if (slot.impl == nullptr) {
            a.why_not[i] = slot.reason;
          } else if (cpu != 0 && !slot.impl->runs_callables()) {
            a.why_not[i] = "cannot run a C++ callable";
          } else if (!slot.impl->supports(w)) {
            a.why_not[i] = "the module predates " + std::string(to_string(w));
          } else {
            a.can[i] = true;
          }
        }
      }
    }
    return t;
  };
  const std::size_t index = is_workload(workload)
                                ? 2 * static_cast<std::size_t>(workload) + (cpu_only ? 1u : 0u)
                                : (cpu_only ? 1u : 0u);
  static const Table cached = compute();
  if (cuda_faulted()) {  // cuda lost its context after the cache was made: without cuda
    static const Table after_fault = compute();
    return after_fault[index];
  }
  return cached[index];
}

Shape shape_of(const Call& call) { return {call.problem, call.cpu_only}; }

}  // namespace tandem::detail
