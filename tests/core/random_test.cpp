#include <keras/keras.h>
#include <keras/kernels/cpu/philox.h>

#include <doctest/doctest.h>

#include <omp.h>

#include <cmath>
#include <vector>

using namespace keras;

namespace {

struct Moments {
  double mean = 0;
  double stddev = 0;
  double min = 1e300;
  double max = -1e300;
};

Moments moments(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  Moments m;
  for (double x : v) {
    m.mean += x;
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
  }
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.stddev += (x - m.mean) * (x - m.mean);
  m.stddev = std::sqrt(m.stddev / static_cast<double>(v.size()));
  return m;
}

bool same(const Tensor& a, const Tensor& b) { return a.to_vector<double>() == b.to_vector<double>(); }

}  // namespace

TEST_SUITE("core") {

TEST_CASE("Philox-4x32-10 matches Random123's known-answer vectors") {
  using kernels::cpu::philox4x32_10;
  using Block = std::array<uint32_t, 4>;
  // Random123 tests/kat_vectors: "philox4x32 10 <counter x4> <key x2> <expected x4>".
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) == Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
        Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("random draws with the same integer seed repeat, and different seeds differ") {
  const Tensor a = random::normal({1000}, {.seed = 42});
  const Tensor b = random::normal({1000}, {.seed = 42});
  const Tensor c = random::normal({1000}, {.seed = 43});
  CHECK(same(a, b));
  CHECK_FALSE(same(a, c));
  CHECK(same(random::uniform({10}, {.seed = 1}), random::uniform({10}, {.seed = 1})));
}

TEST_CASE("a SeedGenerator advances with every draw and replays from the same seed") {
  random::SeedGenerator g(7);
  const Tensor a = random::uniform({100}, {.seed = g});
  CHECK(g.counter() == 100);
  const Tensor b = random::uniform({100}, {.seed = g});
  CHECK(g.counter() == 200);
  CHECK_FALSE(same(a, b));
  random::SeedGenerator replay(7);
  CHECK(same(random::uniform({100}, {.seed = replay}), a));
  CHECK(same(random::uniform({100}, {.seed = replay}), b));
  CHECK(replay.seed() == 7);
}

TEST_CASE("set_random_seed makes unseeded draws and unseeded generators repeat") {
  utils::set_random_seed(123);
  const Tensor a1 = random::normal({50});
  const Tensor a2 = random::normal({50});
  random::SeedGenerator g1;
  utils::set_random_seed(123);
  const Tensor b1 = random::normal({50});
  const Tensor b2 = random::normal({50});
  random::SeedGenerator g2;
  CHECK(same(a1, b1));
  CHECK(same(a2, b2));
  CHECK_FALSE(same(a1, a2));
  CHECK(g1.seed() == g2.seed());
  utils::set_random_seed(124);
  CHECK_FALSE(same(random::normal({50}), a1));
}

TEST_CASE("random.uniform stays in [minval, maxval) for every float dtype") {
  for (DType dtype : {DType::float32, DType::float64, DType::float16, DType::bfloat16}) {
    CAPTURE(dtype_name(dtype));
    const Tensor t = random::uniform({20000}, {.minval = -2.0, .maxval = 3.0, .dtype = dtype, .seed = 5});
    CHECK(t.dtype() == dtype);
    const Moments m = moments(t);
    CHECK(m.min >= -2.0);
    CHECK(m.max < 3.0);
    CHECK(m.mean == doctest::Approx(0.5).epsilon(0.02));
    CHECK(m.stddev == doctest::Approx(5.0 / std::sqrt(12.0)).epsilon(0.02));
  }
  // Every float16 in [1, 1 + 2^-10) rounds to 1 or to maxval itself: maxval must still be excluded.
  const double top = 1.0 + std::ldexp(1.0, -10);
  const Moments h = moments(random::uniform({1000}, {.minval = 1.0, .maxval = top, .dtype = DType::float16, .seed = 3}));
  CHECK(h.max < top);
  CHECK(h.min == 1.0);
  CHECK(moments(random::uniform({10}, {.minval = 2.0, .maxval = 2.0, .seed = 1})).max == 2.0);
}

TEST_CASE("random.normal has the requested mean and stddev over 100k samples") {
  const Moments m = moments(random::normal({100000}, {.mean = 3.0, .stddev = 2.0, .seed = 11}));
  CHECK(m.mean == doctest::Approx(3.0).epsilon(0.01));
  CHECK(m.stddev == doctest::Approx(2.0).epsilon(0.01));
  const Moments d = moments(random::normal({100000}, {.dtype = DType::float64, .seed = 12}));
  CHECK(std::fabs(d.mean) < 0.01);
  CHECK(d.stddev == doctest::Approx(1.0).epsilon(0.01));
  CHECK(random::normal({4}, {.dtype = DType::float16}).dtype() == DType::float16);
}

TEST_CASE("random.truncated_normal stays within two stddevs of the mean") {
  const Moments m = moments(random::truncated_normal({100000}, {.mean = -1.0, .stddev = 0.5, .seed = 9}));
  CHECK(m.min >= -2.0);
  CHECK(m.max <= 0.0);
  CHECK(m.mean == doctest::Approx(-1.0).epsilon(0.01));
  // The stddev of a standard normal truncated to [-2, 2] is 0.8796.
  CHECK(m.stddev == doctest::Approx(0.5 * 0.8796).epsilon(0.01));
}

TEST_CASE("random draws do not depend on the thread count") {
  const Tensor many = random::normal({200000}, {.seed = 77});
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Tensor one = random::normal({200000}, {.seed = 77});
  omp_set_num_threads(threads);
  CHECK(same(many, one));
}

TEST_CASE("random functions reject integer dtypes and inverted bounds") {
  CHECK_THROWS_WITH_AS(random::normal({2}, {.dtype = DType::int32}), doctest::Contains("dtype must be floating"),
                       ValueError);
  CHECK_THROWS_WITH_AS(random::uniform({2}, {.minval = 1.0, .maxval = 0.0}), doctest::Contains("must not exceed"),
                       ValueError);
  CHECK_THROWS_WITH_AS(random::normal({2}, {.stddev = -1.0}), doctest::Contains("non-negative"), ValueError);
  CHECK(random::normal({0, 3}).size() == 0);
}

}  // TEST_SUITE
