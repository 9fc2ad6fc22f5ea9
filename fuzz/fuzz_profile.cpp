// libFuzzer target: the profile reader (detail::parse_profile) on arbitrary bytes.
//
// The invariant: no crash, hang or sanitizer report; either an error with a message, or a
// profile whose every measured coefficient and bandwidth is within the plausible bounds, whose
// strings are printable ASCII, and that writes back (to_json) to text that reads back to the
// same profile and writes back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "model/cost_model.hpp"
#include "model/profile.hpp"

namespace {

using tandem::detail::Coefficients;
using tandem::detail::MachineKey;
using tandem::detail::Profile;

[[noreturn]] void broken(const char* what, int line) {
  std::fprintf(stderr, "tandem fuzz: invariant broken at line %d: %s\n", line, what);
  std::abort();
}
#define CHECK(cond) ((cond) ? (void)0 : broken(#cond, __LINE__))

bool printable(const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  }
  return true;
}

bool same(const Coefficients& a, const Coefficients& b) {
  return a.overhead == b.overhead && a.per_unit == b.per_unit && a.measured == b.measured &&
         a.fit_error == b.fit_error && a.points == b.points;
}

bool same(const Profile& a, const Profile& b) {
  if (!(a.machine == b.machine) || a.created != b.created || a.version != b.version ||
      a.quick != b.quick || a.h2d != b.h2d || a.d2h != b.d2h ||
      a.transfer_measured != b.transfer_measured) {
    return false;
  }
  for (std::size_t i = 0; i < a.coef.size(); ++i) {
    if (!same(a.coef[i], b.coef[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const MachineKey key{"Fuzz CPU", 4, "none", "none"};
  static const Profile base = tandem::detail::builtin_profile(key);
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto p = tandem::detail::parse_profile(text, base, &error);
  if (!p) {
    CHECK(!error.empty());
    return 0;
  }
  CHECK(printable(p->machine.cpu) && printable(p->machine.gpu) && printable(p->machine.driver));
  CHECK(printable(p->created) && printable(p->version));
  CHECK(p->machine.threads >= 1);
  for (const Coefficients& c : p->coef) {
    if (!c.measured) continue;
    CHECK(tandem::detail::plausible_overhead(c.overhead));
    CHECK(tandem::detail::plausible_per_unit(c.per_unit));
    CHECK(c.fit_error >= 0 && c.points >= 0);
  }
  if (p->transfer_measured) {
    CHECK(tandem::detail::plausible_bandwidth(p->h2d));
    CHECK(tandem::detail::plausible_bandwidth(p->d2h));
  }
  const std::string again = tandem::detail::to_json(*p);
  std::string error2;
  const auto q = tandem::detail::parse_profile(again, base, &error2);
  if (!q) std::fprintf(stderr, "re-read failed: %s\n%s\n", error2.c_str(), again.c_str());
  CHECK(q.has_value());
  CHECK(same(*p, *q));
  CHECK(tandem::detail::to_json(*q) == again);
  return 0;
}
