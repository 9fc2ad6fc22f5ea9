// The README's "Using it" example, as written there (vectors, Matrix, designated options), so
// the documented forms keep compiling and giving the documented results.
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tandem/tandem.hpp"

TEST(Readme, UsingItExampleRuns) {
  std::vector<double> e = {1, 2, 3, 4};
  double m = tandem::mse(e);
  double s = tandem::mse(e, {.backend = tandem::Backend::serial});
  EXPECT_EQ(m, 7.5);
  EXPECT_EQ(s, 7.5);

  std::vector<double> x = {1, -2, 3};
  std::vector<double> y(x.size());
  tandem::map(x, y, tandem::MapOp::square());
  EXPECT_EQ(y, (std::vector<double>{1, 4, 9}));
  std::vector<std::int64_t> k = {0, 1, 2}, k2(3);
  tandem::map(k, k2, tandem::MapOp::scale(2));
  EXPECT_EQ(k2, (std::vector<std::int64_t>{0, 2, 4}));
  tandem::map(x, y, [](double v) { return v * v; });
  EXPECT_EQ(y, (std::vector<double>{1, 4, 9}));

  tandem::Matrix<std::int32_t> A(2, 2, {1, 2, 3, 4}), B(2, 2, {5, 6, 7, 8}), C(2, 2);
  tandem::matmul(A, B, C, {.backend = tandem::parse_backend("serial")});
  EXPECT_EQ(C, (tandem::Matrix<std::int32_t>(2, 2, {19, 22, 43, 50})));

  auto P = tandem::polynomial_grid(tandem::CartesianGrid(4, tandem::linspace(0.0, 1.0, 10)),
                                   tandem::linspace(-2.0, 2.0, 50));
  ASSERT_EQ(P.rows(), 10'000);
  ASSERT_EQ(P.cols(), 50);
  EXPECT_DOUBLE_EQ(P(9'999, 49), 15.0);  // a = b = c = d = 1 at x = 2: 8 + 4 + 2 + 1
  EXPECT_DOUBLE_EQ(P(9, 0), 1.0);        // a = b = c = 0, d = 1 (the last axis is fastest)
  EXPECT_DOUBLE_EQ(P(0, 0), 0.0);        // all coefficients 0

  // The multiprocessing notebook's exercise: averaging numbers, counting words, a mergesort.
  std::vector<double> numbers = {3, 1, 2};
  const std::string text = "The cat; the hat.";
  double average = tandem::mean(numbers);
  EXPECT_EQ(average, 2.0);
  std::vector<tandem::WordCount> counts = tandem::word_count(text);
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].word, "the");
  EXPECT_EQ(counts[0].count, 2);
  EXPECT_EQ(counts[1].word, "cat");
  tandem::sort(numbers);
  EXPECT_EQ(numbers, (std::vector<double>{1, 2, 3}));

  tandem::Stats stats;
  tandem::mse(e, {.threads = 2, .stats = &stats});
  std::ostringstream out;
  out << stats.backend << " " << stats.seconds << " s: " << stats.reason << "\n";
  EXPECT_NE(out.str().find(std::string(tandem::to_string(stats.backend))), std::string::npos);

  if (tandem::backend_info(tandem::Backend::openmp).available) {
    tandem::Matrix<std::int32_t> V(2, 2);
    tandem::matmul(A, B, V, {.backend = tandem::Backend::openmp, .verify = true});
    EXPECT_EQ(V, C);
  }
}

TEST(Readme, PlanExampleRuns) {
  std::ostringstream out;
  tandem::Plan p = tandem::plan(tandem::Problem::matmul(tandem::DType::f32, 64, 64, 64));
  out << p.choice << ": " << p.reason << "\n";
  EXPECT_NE(p.choice, tandem::Backend::automatic);
  EXPECT_EQ(p.predictions.size(), 3u);
  EXPECT_NE(out.str().find("matmul f32"), std::string::npos) << out.str();
}
