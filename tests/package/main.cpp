// Uses the installed tandem: mse and a 2x2 matmul through the umbrella header.
#include <tandem/tandem.hpp>

#include <cstdio>
#include <span>
#include <string>
#include <vector>

int main() {
  const std::vector<double> e{1, 2, 3, 4};
  const double m = tandem::mse(std::span<const double>(e));
  if (m != 7.5) {
    std::fprintf(stderr, "mse of {1,2,3,4} is %g, want 7.5\n", m);
    return 1;
  }
  const tandem::Matrix<double> A(2, 2, {1, 2, 3, 4});
  const tandem::Matrix<double> B(2, 2, {5, 6, 7, 8});
  const tandem::Matrix<double> C = tandem::matmul(A.view(), B.view());
  if (C != tandem::Matrix<double>(2, 2, {19, 22, 43, 50})) {
    std::fprintf(stderr, "matmul is wrong: [%g %g; %g %g]\n", C(0, 0), C(0, 1), C(1, 0), C(1, 1));
    return 1;
  }
  std::printf("tandem %s consumer: ok (backends:", tandem::version());
  for (tandem::Backend b : tandem::available_backends()) {
    std::printf(" %s", std::string(tandem::to_string(b)).c_str());
  }
  std::printf(")\n");
  return 0;
}
