// Verification of the cuda backend over libtandem_cuda_faulty.so (tests/verify_module/): right,
// it passes; with TANDEM_TEST_FAULT=<workload> it is off by one unit in one element, and
// verification must throw tandem::verification_error naming it, with the outputs and Stats
// untouched. One process per fault: see tests/CMakeLists.txt.
#include "verify_cases.hpp"

namespace {

using tandem::Backend;
using tandem_test::sentinel;

void require_cuda() {
  const auto info = tandem::backend_info(Backend::cuda);
  ASSERT_TRUE(info.available) << "the faulty module did not load: " << info.reason;
}

tandem::Options verify_on(tandem::Stats* stats) {
  return {.backend = Backend::cuda, .stats = stats, .verify = true};
}

// ---- TANDEM_TEST_FAULT unset: the module is right, verification passes -----------------------

TEST(FaultNone, EveryWorkloadPassesOnHostData) {
  require_cuda();
  TANDEM_SEEDED_RNG(rng);
  tandem_test::expect_verified_workloads(Backend::cuda, rng);
}

TEST(FaultNone, MatmulNotBitwiseButWithinBoundPasses) {
  require_cuda();
  TANDEM_SEEDED_RNG(rng);
  const std::int64_t n = 64;
  tandem::Matrix<float> A(n, n, tandem_test::random_vector<float>(rng, n * n, -1, 1));
  tandem::Matrix<float> B(n, n, tandem_test::random_vector<float>(rng, n * n, -1, 1));
  tandem::Stats stats;
  const auto C = tandem::matmul(A.view(), B.view(), verify_on(&stats));
  EXPECT_TRUE(stats.verified) << stats.reason;
  EXPECT_NE(stats.reason.find("max error "), std::string::npos) << stats.reason;
  const auto S = tandem::matmul(A.view(), B.view(), {.backend = Backend::serial});
  std::size_t differ = 0;
  for (std::size_t i = 0; i < C.values().size(); ++i) differ += C.values()[i] != S.values()[i];
  EXPECT_GT(differ, 0u) << "the module sums in reverse order: some element must round apart";
}

TEST(FaultNone, DeviceBuffersPass) {
  require_cuda();
  tandem::Stats stats;
  const std::vector<double> hx{1, -2, 3, 4.5, 0.25};
  tandem::DeviceBuffer x{std::span<const double>(hx)};
  tandem::DeviceBuffer y(tandem::DType::f64, 5);
  tandem::map(x, y, tandem::MapOp::square(), verify_on(&stats));
  EXPECT_TRUE(stats.verified) << stats.reason;
  EXPECT_EQ(y.download<double>(), (std::vector<double>{1, 4, 9, 20.25, 0.0625}));
  tandem::map(x, x, tandem::MapOp::scale(2), verify_on(&stats));  // in place
  EXPECT_EQ(x.download<double>(), (std::vector<double>{2, -4, 6, 9, 0.5}));
  EXPECT_NEAR(tandem::mse(y, verify_on(&stats)),
              (1 + 16 + 81 + 20.25 * 20.25 + 0.0625 * 0.0625) / 5, 1e-12);
  EXPECT_TRUE(stats.verified) << stats.reason;
  // matmul on blocks with leading dimensions and offsets: A 2x3 at offset 1 (ld 4) of one buffer.
  const std::vector<std::int32_t> ha{0, 1, 2, 3, 9, 4, 5, 6, 9};
  const std::vector<std::int32_t> hb{1, 0, 0, 1, 1, 1};
  tandem::DeviceBuffer a{std::span<const std::int32_t>(ha)};
  tandem::DeviceBuffer b{std::span<const std::int32_t>(hb)};
  tandem::DeviceBuffer c(std::span<const std::int32_t>(std::vector<std::int32_t>(8, -1)));
  tandem::matmul(a.matrix(2, 3, 4, 1), b.matrix(3, 2), c.matrix(2, 2, 3, 1), verify_on(&stats));
  EXPECT_TRUE(stats.verified) << stats.reason;
  EXPECT_EQ(c.download<std::int32_t>(), (std::vector<std::int32_t>{-1, 4, 5, -1, 10, 11, -1, -1}));
  // polynomial_grid: a table on the device, and a CartesianGrid.
  const std::vector<float> ht{1, 0, 2, 1}, hxs{1, 2, 3};
  tandem::DeviceBuffer t{std::span<const float>(ht)};
  tandem::DeviceBuffer xs{std::span<const float>(hxs)};
  tandem::DeviceBuffer out(tandem::DType::f32, 6);
  tandem::polynomial_grid(t.matrix(2, 2), xs, out.matrix(2, 3), verify_on(&stats));
  EXPECT_TRUE(stats.verified) << stats.reason;
  EXPECT_EQ(out.download<float>(), (std::vector<float>{1, 2, 3, 3, 5, 7}));
  tandem::polynomial_grid(tandem::CartesianGrid<float>({{1, 2}, {0}}), xs, out.matrix(2, 3),
                          verify_on(&stats));
  EXPECT_EQ(out.download<float>(), (std::vector<float>{1, 2, 3, 2, 4, 6}));
}

// ---- a fault: verification throws, outputs untouched ----------------------------------------

// The message names the function, the backend, the workload and dtype, the element, both values
// and the bound; Stats are untouched.
template <class F>
void expect_caught(F&& call, std::initializer_list<std::string_view> needles) {
  tandem::Stats stats = tandem_test::untouched_stats();
  EXPECT_TRUE(tandem_test::throws<tandem::verification_error>([&] { call(&stats); }, needles));
  EXPECT_TRUE(tandem_test::is_untouched(stats));
}

TEST(FaultMap, CaughtOnHostAndDeviceData) {
  require_cuda();
  const std::vector<std::int32_t> x{1, 2, 3, 4, 5};
  std::vector<std::int32_t> y(5, sentinel<std::int32_t>());
  expect_caught(
      [&](tandem::Stats* s) {
        tandem::map(std::span<const std::int32_t>(x), std::span<std::int32_t>(y),
                    tandem::MapOp::scale(3), verify_on(s));
      },
      {"tandem::map: verification against serial failed: the cuda backend's map scale i32 result "
       "at y[2] is 10 but serial's is 9: error 1 exceeds the bound 0 (exact",
       "1 of 5 values"});
  EXPECT_TRUE(tandem_test::all_equal(y, sentinel<std::int32_t>()));
  // In place: x itself stays as it was.
  std::vector<double> z{0.5, 1.5, 2.5};
  expect_caught(
      [&](tandem::Stats* s) {
        tandem::map(std::span<const double>(z), std::span<double>(z), tandem::MapOp::square(),
                    verify_on(s));
      },
      {"map square f64", "at y[1] is 2.2500000000000004 but serial's is 2.25"});
  EXPECT_EQ(z, (std::vector<double>{0.5, 1.5, 2.5}));
  // Without verification the fault reaches the output: it is real.
  tandem::map(std::span<const std::int32_t>(x), std::span<std::int32_t>(y), tandem::MapOp::scale(3),
              {.backend = Backend::cuda});
  EXPECT_EQ(y, (std::vector<std::int32_t>{3, 6, 10, 12, 15}));
  // DeviceBuffers: y keeps its contents, in place too.
  tandem::DeviceBuffer dx(std::span<const double>(std::vector<double>{1, 2, 3}));
  tandem::DeviceBuffer dy(std::span<const double>(std::vector<double>{7, 7, 7}));
  expect_caught([&](tandem::Stats* s) { tandem::map(dx, dy, tandem::MapOp::abs(), verify_on(s)); },
                {"tandem::map", "cuda", "map abs f64", "y[1]"});
  EXPECT_EQ(dy.download<double>(), (std::vector<double>{7, 7, 7}));
  expect_caught([&](tandem::Stats* s) { tandem::map(dx, dx, tandem::MapOp::abs(), verify_on(s)); },
                {"y[1]"});
  EXPECT_EQ(dx.download<double>(), (std::vector<double>{1, 2, 3}));
}

TEST(FaultMatmul, CaughtForEveryDtype) {
  require_cuda();
  TANDEM_SEEDED_RNG(rng);
  tandem_test::for_each_dtype([&]<class T>(std::type_identity<T>) {
    const std::int64_t m = 5, k = 6, n = 7;
    tandem::Matrix<T> A(m, k, tandem_test::random_vector<T>(rng, m * k, -10, 10));
    tandem::Matrix<T> B(k, n, tandem_test::random_vector<T>(rng, k * n, -10, 10));
    tandem::Matrix<T> big(m + 1, n + 2, std::vector<T>((m + 1) * (n + 2), sentinel<T>()));
    const auto C = big.view().submatrix(1, 1, m, n);
    expect_caught([&](tandem::Stats* s) { tandem::matmul(A.view(), B.view(), C, verify_on(s)); },
                  {"tandem::matmul: verification against serial failed: the cuda backend's matmul",
                   std::string_view(tandem::to_string(tandem::dtype_of<T>)), "at C(2, 3) is ",
                   std::is_floating_point_v<T> ? "k = 6" : "exact"});
    EXPECT_TRUE(tandem_test::all_equal(big.values(), sentinel<T>()));
    // The allocating form returns nothing.
    expect_caught([&](tandem::Stats* s) { (void)tandem::matmul(A.view(), B.view(), verify_on(s)); },
                  {"C(2, 3)"});
  });
  // Device operands: C keeps its contents.
  tandem::DeviceBuffer a(std::span<const double>(std::vector<double>(6, 1.0)));
  tandem::DeviceBuffer b(std::span<const double>(std::vector<double>(6, 2.0)));
  tandem::DeviceBuffer c(std::span<const double>(std::vector<double>(4, -3.0)));
  expect_caught(
      [&](tandem::Stats* s) {
        tandem::matmul(a.matrix(2, 3), b.matrix(3, 2), c.matrix(2, 2), verify_on(s));
      },
      {"at C(1, 1) is 7.00", "but serial's is 6:"});
  EXPECT_EQ(c.download<double>(), (std::vector<double>(4, -3.0)));
}

TEST(FaultGrid, CaughtForTableAndCartesianGrid) {
  require_cuda();
  const std::vector<std::int64_t> x{1, 2, 3};
  tandem::Matrix<std::int64_t> table(2, 2, {1, 1, 2, 0});
  tandem::Matrix<std::int64_t> out(2, 3, std::vector<std::int64_t>(6, sentinel<std::int64_t>()));
  expect_caught(
      [&](tandem::Stats* s) {
        tandem::polynomial_grid(table.view(), std::span<const std::int64_t>(x), out.view(),
                                verify_on(s));
      },
      {"tandem::polynomial_grid: verification against serial failed: the cuda backend's "
       "polynomial_grid i64 result at out(1, 2) is 7 but serial's is 6"});
  EXPECT_TRUE(tandem_test::all_equal(out.values(), sentinel<std::int64_t>()));
  const tandem::CartesianGrid<float> grid({{1, 2}, {0, 1}});
  const std::vector<float> xf{0.5f};
  expect_caught(
      [&](tandem::Stats* s) {
        (void)tandem::polynomial_grid(grid, std::span<const float>(xf), verify_on(s));
      },
      {"polynomial_grid f32", "out(3, 0) is 2.00000024 but serial's is 2"});
  tandem::DeviceBuffer dx{std::span<const float>(xf)};
  tandem::DeviceBuffer dout(std::span<const float>(std::vector<float>(4, 8.0f)));
  expect_caught(
      [&](tandem::Stats* s) { tandem::polynomial_grid(grid, dx, dout.matrix(4, 1), verify_on(s)); },
      {"out(3, 0)"});
  EXPECT_EQ(dout.download<float>(), (std::vector<float>(4, 8.0f)));
}

TEST(FaultMse, CaughtOnHostAndDeviceData) {
  require_cuda();
  const std::vector<double> a{1, 2, 3, 4}, b{0, 0, 1, 1};
  expect_caught(
      [&](tandem::Stats* s) {
        (void)tandem::mse(std::span<const double>(a), std::span<const double>(b), verify_on(s));
      },
      {"tandem::mse: verification against serial failed: the cuda backend's mse f64 result "
       "(the mean) is 4.50000000",
       "but serial's is 4.5:", "beta = (log2(n) + 24)", "n = 4"});
  tandem::DeviceBuffer da(std::span<const float>(std::vector<float>{3, 4}));
  expect_caught([&](tandem::Stats* s) { (void)tandem::mse(da, verify_on(s)); },
                {"mse f32", "serial's is 12.5"});
  // Without verification the wrong mean comes back.
  EXPECT_NE(tandem::mse(std::span<const double>(a), std::span<const double>(b),
                        {.backend = Backend::cuda}),
            4.5);
}

// TANDEM_VERIFY=1 with a fault: the process-wide switch catches it with no option set.
TEST(FaultMapEnv, CaughtThroughTandemVerify) {
  require_cuda();
  const std::vector<float> x{1, 2, 3};
  std::vector<float> y(3, sentinel<float>());
  tandem::Stats stats = tandem_test::untouched_stats();
  EXPECT_TRUE(tandem_test::throws<tandem::verification_error>(
      [&] {
        tandem::map(std::span<const float>(x), std::span<float>(y), tandem::MapOp::square(),
                    {.backend = Backend::cuda, .stats = &stats});
      },
      {"map square f32", "y[1]"}));
  EXPECT_TRUE(tandem_test::all_equal(y, sentinel<float>()));
  EXPECT_TRUE(tandem_test::is_untouched(stats));
  // serial needs no module: it runs, and says it was not compared with itself.
  tandem::map(std::span<const float>(x), std::span<float>(y), tandem::MapOp::square(),
              {.backend = Backend::serial, .stats = &stats});
  EXPECT_EQ(y, (std::vector<float>{1, 4, 9}));
  EXPECT_NE(stats.reason.find("verification skipped"), std::string::npos) << stats.reason;
}

TEST(FaultSort, CaughtAndTheArrayUntouched) {
  require_cuda();
  std::vector<std::int64_t> x{4, -2, 9, 0, 7};
  expect_caught([&](tandem::Stats* s) { tandem::sort(std::span<std::int64_t>(x), verify_on(s)); },
                {"tandem::sort: verification against serial failed: the cuda backend's sorted "
                 "i64 array has -1 at index 0 of 5 but serial's has -2"});
  EXPECT_EQ(x, (std::vector<std::int64_t>{4, -2, 9, 0, 7}));
  // -0.0 nudged to the smallest subnormal: a value apart from every input value.
  std::vector<double> y{1.0, -0.0, 0.5};
  tandem::Stats stats;
  EXPECT_TRUE(tandem_test::throws<tandem::verification_error>(
      [&] { tandem::sort(std::span<double>(y), verify_on(&stats)); }, {"tandem::sort"}));
  EXPECT_EQ(y, (std::vector<double>{1.0, -0.0, 0.5}));
}

}  // namespace

// ---- map_reduce (sum, mean, min, max): right, and off by a little -------------------------

namespace {

TEST(FaultNone, MapReducePasses) {
  require_cuda();
  TANDEM_SEEDED_RNG(rng);
  const auto x = tandem_test::random_vector<double>(rng, 1009, -10, 10);
  const std::span<const double> s(x);
  tandem::Stats stats;
  (void)tandem::sum(s, verify_on(&stats));  // summed in long double: within the bound
  EXPECT_TRUE(stats.verified) << stats.reason;
  (void)tandem::map_reduce(s, tandem::MapOp::square(), tandem::ReduceOp::max(), verify_on(&stats));
  EXPECT_TRUE(stats.verified) << stats.reason;
  const std::vector<std::int64_t> i{5, -7, 3};
  EXPECT_EQ(tandem::min(std::span<const std::int64_t>(i), verify_on(&stats)), -7);
  EXPECT_TRUE(stats.verified) << stats.reason;
}

TEST(FaultMapReduce, CaughtForEveryReduction) {
  require_cuda();
  const std::vector<std::int64_t> i{1, 2, 3};
  expect_caught(
      [&](tandem::Stats* s) { (void)tandem::sum(std::span<const std::int64_t>(i), verify_on(s)); },
      {"tandem::sum: verification against serial failed: the cuda backend's map_reduce sum i64 "
       "result is 7 but serial's is 6",
       "(exact)"});
  const std::vector<double> d{1, -5, 3};
  expect_caught(
      [&](tandem::Stats* s) {
        (void)tandem::map_reduce(std::span<const double>(d), tandem::MapOp::square(),
                                 tandem::ReduceOp::max(), verify_on(s));
      },
      {"tandem::map_reduce: verification against serial failed", "map_reduce max f64",
       "serial's is 25"});
  const std::vector<float> f{0.5f, 0.25f};
  expect_caught(
      [&](tandem::Stats* s) { (void)tandem::mean(std::span<const float>(f), verify_on(s)); },
      {"tandem::mean: verification against serial failed", "map_reduce sum f32",
       "beta = (log2(n) + 24)", "n = 2"});
  // Without verification the wrong sum comes back.
  EXPECT_EQ(tandem::sum(std::span<const std::int64_t>(i), {.backend = Backend::cuda}), 7);
}

}  // namespace

// ---- word_count: right, and one count off ------------------------------------------------

namespace {

TEST(FaultNone, WordCountPasses) {
  require_cuda();
  tandem::Stats stats;
  const auto words = tandem::word_count("the cat and The dog; the end", verify_on(&stats));
  EXPECT_TRUE(stats.verified) << stats.reason;
  ASSERT_FALSE(words.empty());
  EXPECT_EQ(words.front(), (tandem::WordCount{"the", 3}));
}

TEST(FaultWordCount, CaughtWithTheWordNamed) {
  require_cuda();
  expect_caught(
      [&](tandem::Stats* s) { (void)tandem::word_count("b a b c b a", verify_on(s)); },
      {"tandem::word_count: verification against serial failed: the cuda backend's word 1 is "
       "'b' x 4 but serial's is 'b' x 3 (3 vs 3 distinct words; they must be equal)"});
  // Without verification the wrong count comes back.
  const auto words = tandem::word_count("b a b c b a", {.backend = Backend::cuda});
  ASSERT_FALSE(words.empty());
  EXPECT_EQ(words.front(), (tandem::WordCount{"b", 4}));
}

}  // namespace
