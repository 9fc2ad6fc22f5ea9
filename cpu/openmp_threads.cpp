#include "openmp_threads.hpp"

#include <omp.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "tandem/options.hpp"

namespace tandem::detail {

namespace {

// Teams up to g_known threads were created (or probed) in this process, or are the cap chosen
// after a failed probe; a team of g_failed threads or more could not be (INT_MAX: none failed
// yet). Written under g_probe_mutex.
std::atomic<int> g_known{1};
std::atomic<int> g_failed{INT_MAX};
std::atomic<int> g_created{0};  // after a failed probe: the largest team it could create
std::mutex g_probe_mutex;       // one probe at a time; others wait and reuse its answer

// Set in a fork()ed child when the parent had run a team (the handler is registered then).
std::atomic<bool> g_forked{false};
std::once_flag g_atfork_once;
void on_fork_child() noexcept { g_forked.store(true, std::memory_order_relaxed); }

struct Probe {
  std::shared_mutex* gate;
};

void* probe_thread(void* arg) {
  // Stays alive until every probe thread exists: exited threads no longer count against
  // RLIMIT_NPROC or a cgroup's pids.max, so they must coexist as the team's threads will.
  auto* gate = static_cast<Probe*>(arg)->gate;
  gate->lock_shared();
  gate->unlock_shared();
  return nullptr;
}

// Creates `extra` threads with the runtime's stack size, all alive at once, then joins them.
// Returns how many could be created.
int probe(int extra) noexcept {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return 0;
  if (const std::size_t stack = openmp_stack_size(); stack != 0) {
    (void)pthread_attr_setstacksize(&attr, stack);  // as libgomp: keep the default if refused
  }
  std::vector<pthread_t> threads;
  int made = 0;
  try {
    threads.resize(static_cast<std::size_t>(extra));
    std::shared_mutex gate;
    Probe p{&gate};
    gate.lock();
    for (; made < extra; ++made) {
      if (pthread_create(&threads[static_cast<std::size_t>(made)], &attr, probe_thread, &p) != 0) {
        break;
      }
    }
    gate.unlock();
    for (int i = 0; i < made; ++i) pthread_join(threads[static_cast<std::size_t>(i)], nullptr);
  } catch (...) {  // bad_alloc of the handle list: no thread was created
  }
  pthread_attr_destroy(&attr);
  return made;
}

// The runtime's thread limit (OMP_THREAD_LIMIT), and the default capped at max_threads.
int runtime_limit() noexcept { return std::max(1, omp_get_thread_limit()); }

}  // namespace

bool parse_omp_stacksize(const char* text, std::size_t* bytes) noexcept {
  if (text == nullptr) return false;
  const char* p = text;
  while (std::isspace(static_cast<unsigned char>(*p)) != 0) ++p;
  if (*p == '\0' || *p == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(p, &end, 10);
  if (errno != 0 || end == p) return false;
  while (std::isspace(static_cast<unsigned char>(*end)) != 0) ++end;
  unsigned shift = 10;
  if (*end != '\0') {
    switch (std::tolower(static_cast<unsigned char>(*end))) {
      case 'b':
        shift = 0;
        break;
      case 'k':
        break;
      case 'm':
        shift = 20;
        break;
      case 'g':
        shift = 30;
        break;
      default:
        return false;
    }
    ++end;
    while (std::isspace(static_cast<unsigned char>(*end)) != 0) ++end;
    if (*end != '\0') return false;
  }
  if (((value << shift) >> shift) != value) return false;
  *bytes = static_cast<std::size_t>(value << shift);
  return true;
}

std::size_t openmp_stack_size() noexcept {
#ifdef KMP_VERSION_MAJOR
  return kmp_get_stacksize_s();  // LLVM's libomp says it itself
#else
  std::size_t bytes = 0;
  if (parse_omp_stacksize(std::getenv("OMP_STACKSIZE"), &bytes) ||
      parse_omp_stacksize(std::getenv("GOMP_STACKSIZE"), &bytes)) {
    return bytes;
  }
  return 0;
#endif
}

int openmp_default_threads() noexcept {
  if (g_forked.load(std::memory_order_relaxed)) return 1;
  return openmp_machine_threads();
}

int openmp_machine_threads() noexcept {
  int t = std::clamp(omp_get_max_threads(), 1, std::min(max_threads, runtime_limit()));
  const int failed = g_failed.load(std::memory_order_acquire);
  if (t >= failed) t = std::max(1, g_known.load(std::memory_order_acquire));
  return t;
}

Team openmp_team(int requested) noexcept {
  Team team;
  if (g_forked.load(std::memory_order_relaxed)) {
    team.asked = requested > 0 ? requested : 1;
    team.threads = 1;
    team.limits = kTeamForked;
    return team;
  }
  int t = requested > 0 ? requested : std::max(1, omp_get_max_threads());
  team.asked = t;
  if (t > max_threads) {  // only the default can be: Options::threads is validated
    t = max_threads;
    team.limits |= kTeamMaxThreads;
  }
  if (const int limit = runtime_limit(); t > limit) {
    t = limit;
    team.limits |= kTeamThreadLimit;
  }
  team.threads = t;
  if (t <= 1) return team;
  // A child forked after this would hang in its first team: from now on, mark children.
  std::call_once(g_atfork_once, [] { (void)pthread_atfork(nullptr, nullptr, on_fork_child); });
  if (t <= g_known.load(std::memory_order_acquire)) return team;

  const std::lock_guard lock(g_probe_mutex);
  if (t <= g_known.load(std::memory_order_relaxed)) return team;
  if (t < g_failed.load(std::memory_order_relaxed)) {
    const int made = probe(t - 1);
    if (made + 1 >= t) {
      g_known.store(t, std::memory_order_release);
      return team;
    }
    // The limit was reached. A team of every thread that could be created would hold all of
    // it while the runtime keeps the team's threads (their stacks), leaving the program no
    // memory or threads of its own: use half of them.
    const int known =
        std::max(g_known.load(std::memory_order_relaxed), std::max(1, (made + 1) / 2));
    g_created.store(std::max(made + 1, known), std::memory_order_relaxed);
    g_known.store(known, std::memory_order_release);
    g_failed.store(std::max(made + 1, known) + 1, std::memory_order_release);
  }
  team.threads = g_known.load(std::memory_order_relaxed);
  team.created = g_created.load(std::memory_order_relaxed);
  team.limits |= kTeamCreated;
  return team;
}

}  // namespace tandem::detail
