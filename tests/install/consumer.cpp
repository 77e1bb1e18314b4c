// Compiles against the installed headers and links the installed library: one gradient through
// matmul, checked by hand (d/dw sum(x @ w) = x^T @ ones).
#include <keras/keras.h>

#include <cstdio>
#include <vector>

int main() {
  using namespace keras;
  const Tensor x({1.f, 2.f, 3.f, 4.f}, {2, 2});
  Variable w(ops::ones({2, 1}), {.name = "w"});
  GradientTape tape;
  const Tensor loss = ops::sum(ops::matmul(x, w));
  const std::vector<float> grad = tape.gradient(loss, w).to_vector<float>();
  const bool ok = grad == std::vector<float>{4.f, 6.f} && loss.item<float>() == 10.f;
  std::printf("installed keras: loss %g, gradient [%g, %g]: %s\n", loss.item<float>(), grad[0], grad[1],
              ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
