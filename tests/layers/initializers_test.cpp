#include <keras/keras.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support/gradient_check.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace keras;
using keras::testing::check_allclose;

namespace {

struct Stats {
  double mean = 0, stddev = 0, min = 0, max = 0;
};

Stats stats_of(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  Stats s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / static_cast<double>(v.size()));
  return s;
}

bool same_values(const Tensor& a, const Tensor& b) { return a.to_vector<double>() == b.to_vector<double>(); }

// (rows, cols) of a 2-D float64 tensor times its transpose on the side that should give identity.
void check_orthonormal(const Tensor& q, bool columns, double gain = 1.0) {
  const Tensor gram = columns ? ops::matmul(ops::transpose(q), q) : ops::matmul(q, ops::transpose(q));
  check_allclose(gram, ops::eye(gram.shape()[0], gram.shape()[0], 0, DType::float64) * (gain * gain), 1e-6, 1e-6);
}

}  // namespace

TEST_SUITE("layers") {

TEST_CASE("Constant initializers fill with their value in the requested dtype") {
  check_allclose(Initializer("zeros")({2, 3}), ops::zeros({2, 3}));
  check_allclose(Initializer("ones")({4}), ops::ones({4}));
  Tensor c = Initializer(initializers::Constant({.value = 0.25}))({2, 2}, DType::float64);
  CHECK(c.dtype() == DType::float64);
  check_allclose(c, ops::full({2, 2}, 0.25, DType::float64));
  CHECK(Initializer("zeros")({3}, DType::int32).dtype() == DType::int32);
}

TEST_CASE("compute_fans follows Keras for vectors, matrices and convolution kernels") {
  using initializers::compute_fans;
  CHECK(compute_fans(Shape{}) == std::pair<double, double>{1, 1});
  CHECK(compute_fans(Shape{5}) == std::pair<double, double>{5, 5});
  CHECK(compute_fans(Shape{3, 4}) == std::pair<double, double>{3, 4});
  // Conv1D (k, in, out) and Conv2D (kh, kw, in, out): receptive field times channels.
  CHECK(compute_fans(Shape{5, 4, 6}) == std::pair<double, double>{20, 30});
  CHECK(compute_fans(Shape{3, 3, 16, 32}) == std::pair<double, double>{144, 288});
}

TEST_CASE("Random initializers draw from their distributions") {
  const Shape shape{200, 250};  // 50,000 draws: sample statistics within a few percent
  SUBCASE("RandomNormal") {
    const Stats s = stats_of(initializers::RandomNormal({.mean = 1.0, .stddev = 0.5, .seed = 1})(shape, DType::float32));
    CHECK(s.mean == doctest::Approx(1.0).epsilon(0.01));
    CHECK(s.stddev == doctest::Approx(0.5).epsilon(0.02));
  }
  SUBCASE("TruncatedNormal stays within two standard deviations") {
    const Stats s = stats_of(initializers::TruncatedNormal({.mean = 0.0, .stddev = 0.5, .seed = 2})(shape, DType::float32));
    CHECK(s.min >= -1.0);
    CHECK(s.max <= 1.0);
    CHECK(s.mean == doctest::Approx(0.0).epsilon(0.01).scale(1.0));
    CHECK(s.stddev == doctest::Approx(0.5 * 0.87962566103423978).epsilon(0.02));
  }
  SUBCASE("RandomUniform") {
    const Stats s = stats_of(initializers::RandomUniform({.minval = -2.0, .maxval = 4.0, .seed = 3})(shape, DType::float32));
    CHECK(s.min >= -2.0);
    CHECK(s.max < 4.0);
    CHECK(s.min < -1.99);
    CHECK(s.max > 3.99);
    CHECK(s.mean == doctest::Approx(1.0).epsilon(0.02));
  }
  SUBCASE("Keras's defaults: normal stddev 0.05, uniform in [-0.05, 0.05)") {
    CHECK(stats_of(Initializer("random_normal")(shape)).stddev == doctest::Approx(0.05).epsilon(0.02));
    const Stats u = stats_of(Initializer("random_uniform")(shape));
    CHECK(u.min >= -0.05);
    CHECK(u.max < 0.05);
  }
}

TEST_CASE("Variance-scaling initializers have Keras's limits and variances, for dense and conv kernels") {
  struct Case {
    const char* name;
    Shape shape;
    double fan_in, fan_out;
  };
  for (const Case& c : {Case{"dense", {300, 200}, 300, 200}, Case{"conv", {3, 3, 40, 60}, 360, 540}}) {
    INFO(c.name);
    const double avg = (c.fan_in + c.fan_out) / 2;
    auto uniform_limit = [&](const Initializer& init, double limit) {
      const Stats s = stats_of(init(c.shape));
      CHECK(s.max <= limit);
      CHECK(s.min >= -limit);
      CHECK(s.max > 0.98 * limit);
      CHECK(s.stddev == doctest::Approx(limit / std::sqrt(3.0)).epsilon(0.02));
    };
    auto normal_std = [&](const Initializer& init, double stddev) {
      const Stats s = stats_of(init(c.shape));
      // Truncated at two (pre-truncation) standard deviations: stddev / 0.8796... each side.
      CHECK(s.max <= 2 * stddev / 0.87962566103423978 * 1.0001);
      CHECK(s.stddev == doctest::Approx(stddev).epsilon(0.03));
    };
    uniform_limit(initializers::GlorotUniform({.seed = 1}), std::sqrt(6.0 / (c.fan_in + c.fan_out)));
    uniform_limit(initializers::HeUniform({.seed = 2}), std::sqrt(6.0 / c.fan_in));
    uniform_limit(initializers::LecunUniform({.seed = 3}), std::sqrt(3.0 / c.fan_in));
    normal_std(initializers::GlorotNormal({.seed = 4}), std::sqrt(2.0 / (c.fan_in + c.fan_out)));
    normal_std(initializers::HeNormal({.seed = 5}), std::sqrt(2.0 / c.fan_in));
    normal_std(initializers::LecunNormal({.seed = 6}), std::sqrt(1.0 / c.fan_in));
    normal_std(initializers::VarianceScaling({.scale = 0.5, .mode = "fan_out", .seed = 7}), std::sqrt(0.5 / c.fan_out));
    const Stats untruncated = stats_of(initializers::VarianceScaling(
        {.scale = 3.0, .mode = "fan_avg", .distribution = "untruncated_normal", .seed = 8})(c.shape, DType::float32));
    CHECK(untruncated.stddev == doctest::Approx(std::sqrt(3.0 / avg)).epsilon(0.03));
    uniform_limit(initializers::VarianceScaling({.scale = 2.0, .mode = "fan_avg", .distribution = "uniform", .seed = 9}),
                  std::sqrt(3.0 * 2.0 / avg));
  }
}

TEST_CASE("VarianceScaling validates its arguments as Keras does") {
  CHECK_THROWS_WITH_AS(initializers::VarianceScaling({.scale = 0.0}), doctest::Contains("positive"), ValueError);
  CHECK_THROWS_WITH_AS(initializers::VarianceScaling({.mode = "fan_middle"}), doctest::Contains("fan_middle"), ValueError);
  CHECK_THROWS_WITH_AS(initializers::VarianceScaling({.distribution = "cauchy"}), doctest::Contains("cauchy"), ValueError);
  // "normal" (any case) means truncated_normal.
  CHECK(initializers::VarianceScaling({.distribution = "Normal"}).get_config()["distribution"] == "truncated_normal");
}

TEST_CASE("Seeded initializers repeat their values; unseeded ones follow the global seed") {
  const Shape shape{4, 5};
  for (const char* name : {"RandomNormal", "TruncatedNormal", "RandomUniform", "VarianceScaling", "GlorotUniform",
                           "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal"}) {
    INFO(name);
    const Config seeded = {{"class_name", name}, {"config", {{"seed", 42}}}};
    const Initializer a = Initializer::from_config(seeded);
    const Initializer b = Initializer::from_config(seeded);
    CHECK(same_values(a(shape), a(shape)));
    CHECK(same_values(a(shape), b(shape)));
    const Config other = {{"class_name", name}, {"config", {{"seed", 43}}}};
    CHECK_FALSE(same_values(a(shape), Initializer::from_config(other)(shape)));

    const Initializer unseeded = Initializer::from_config(Config{{"class_name", name}, {"config", Config::object()}});
    utils::set_random_seed(7);
    const Tensor first = unseeded(shape);
    const Tensor second = unseeded(shape);
    CHECK_FALSE(same_values(first, second));
    utils::set_random_seed(7);
    CHECK(same_values(unseeded(shape), first));
  }
}

TEST_CASE("Orthogonal gives orthonormal columns, or rows when wider than tall") {
  check_orthonormal(initializers::Orthogonal({.seed = 1})({6, 4}, DType::float64), true);
  check_orthonormal(initializers::Orthogonal({.seed = 2})({4, 6}, DType::float64), false);
  check_orthonormal(initializers::Orthogonal({.seed = 3})({5, 5}, DType::float64), true);
  check_orthonormal(initializers::Orthogonal({.gain = 2.0, .seed = 4})({7, 3}, DType::float64), true, 2.0);
  // Kernels of rank > 2 are flattened to (prod(shape[:-1]), shape[-1]).
  const Tensor conv = initializers::Orthogonal({.seed = 5})({3, 3, 4, 8}, DType::float64);
  CHECK(conv.shape() == Shape{3, 3, 4, 8});
  check_orthonormal(ops::reshape(conv, {36, 8}), true);
  CHECK(Initializer(initializers::Orthogonal())({4, 4}).dtype() == DType::float32);
  CHECK_THROWS_WITH_AS(Initializer("orthogonal")({5}), doctest::Contains("rank >= 2"), ValueError);
}

TEST_CASE("Identity is gain times the identity matrix and needs a 2-D shape") {
  check_allclose(Initializer(initializers::Identity({.gain = 3.0}))({2, 3}),
                 Tensor::from_vector(std::vector<float>{3, 0, 0, 0, 3, 0}, {2, 3}));
  check_allclose(Initializer("identity")({3, 3}), ops::eye(3, 3, 0, DType::float32));
  CHECK_THROWS_WITH_AS(Initializer("identity")({2, 2, 2}), doctest::Contains("2-D"), ValueError);
  CHECK_THROWS_WITH_AS(Initializer("identity")({4}), doctest::Contains("2-D"), ValueError);
}

TEST_CASE("Initializer configs are Keras 3's object dicts and round-trip") {
  // Keras 3.16 writes GlorotUniform as {"seed": null, "input_axes": null, "output_axes": null} (see
  // ../shared/fixtures/keras/mlp.keras); the other VarianceScaling subclasses take the same arguments.
  struct Case {
    Initializer init;
    const char* class_name;
    const char* config;
  };
  const std::vector<Case> cases = {
      {"zeros", "Zeros", "{}"},
      {"ones", "Ones", "{}"},
      {initializers::Constant({.value = 0.5}), "Constant", R"({"value":0.5})"},
      {initializers::RandomNormal({.seed = 3}), "RandomNormal", R"({"seed":3,"mean":0.0,"stddev":0.05})"},
      {"truncated_normal", "TruncatedNormal", R"({"seed":null,"mean":0.0,"stddev":0.05})"},
      {"random_uniform", "RandomUniform", R"({"seed":null,"minval":-0.05,"maxval":0.05})"},
      {"variance_scaling", "VarianceScaling",
       R"({"seed":null,"scale":1.0,"mode":"fan_in","distribution":"truncated_normal","input_axes":null,"output_axes":null})"},
      {"glorot_uniform", "GlorotUniform", R"({"seed":null,"input_axes":null,"output_axes":null})"},
      {initializers::GlorotNormal({.seed = 1}), "GlorotNormal", R"({"seed":1,"input_axes":null,"output_axes":null})"},
      {"he_normal", "HeNormal", R"({"seed":null,"input_axes":null,"output_axes":null})"},
      {"he_uniform", "HeUniform", R"({"seed":null,"input_axes":null,"output_axes":null})"},
      {"lecun_normal", "LecunNormal", R"({"seed":null,"input_axes":null,"output_axes":null})"},
      {"lecun_uniform", "LecunUniform", R"({"seed":null,"input_axes":null,"output_axes":null})"},
      {"orthogonal", "Orthogonal", R"({"seed":null,"gain":1.0})"},
      {initializers::Identity({.gain = 2.0}), "Identity", R"({"gain":2.0})"},
  };
  for (const Case& c : cases) {
    INFO(c.class_name);
    const Config object = c.init.to_config();
    CHECK(object["module"] == "keras.initializers");
    CHECK(object["class_name"] == c.class_name);
    CHECK(object["config"].dump() == c.config);
    CHECK(object["registered_name"].is_null());
    CHECK(c.init.class_name() == c.class_name);
    CHECK(Initializer::from_config(object).to_config().dump() == object.dump());
  }
  // A seeded initializer rebuilt from its config gives the same numbers.
  const Initializer seeded = initializers::HeUniform({.seed = 11});
  CHECK(same_values(Initializer::from_config(seeded.to_config())({3, 4}), seeded({3, 4})));
}

TEST_CASE("Initializer names resolve as keras.initializers.get does") {
  const std::vector<std::pair<const char*, const char*>> names = {
      {"zeros", "Zeros"}, {"zero", "Zeros"}, {"ones", "Ones"}, {"one", "Ones"}, {"constant", "Constant"},
      {"random_normal", "RandomNormal"}, {"normal", "RandomNormal"}, {"truncated_normal", "TruncatedNormal"},
      {"random_uniform", "RandomUniform"}, {"uniform", "RandomUniform"}, {"variance_scaling", "VarianceScaling"},
      {"glorot_uniform", "GlorotUniform"}, {"glorot_normal", "GlorotNormal"}, {"he_normal", "HeNormal"},
      {"he_uniform", "HeUniform"}, {"lecun_normal", "LecunNormal"}, {"lecun_uniform", "LecunUniform"},
      {"orthogonal", "Orthogonal"}, {"identity", "Identity"}, {"GlorotUniform", "GlorotUniform"},
      {"OrthogonalInitializer", "Orthogonal"}, {"IdentityInitializer", "Identity"},
  };
  for (const auto& entry : names) {
    const auto& name = entry.first;
    const auto& cls = entry.second;
    INFO(name);
    CHECK(Initializer(name).class_name() == cls);
    CHECK(Initializer::from_config(Config(name)).class_name() == cls);
  }
  CHECK_THROWS_WITH_AS(Initializer("glorot_uniformish"), doctest::Contains("Unknown initializer: 'glorot_uniformish'"),
                       ValueError);
}

TEST_CASE("Initializer configs from Keras 2 and older Keras 3 files load") {
  // Keras 2: no module; VarianceScaling subclasses with just a seed; Orthogonal by its Keras 2 name.
  const Initializer k2 = Initializer::from_config(Config::parse(R"({"class_name": "GlorotUniform", "config": {"seed": 5}})"));
  CHECK(k2.to_config()["config"]["seed"] == 5);
  const Initializer vs = Initializer::from_config(Config::parse(
      R"({"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": null}})"));
  CHECK(vs.to_config()["config"]["mode"] == "fan_out");
  // Keras 3.0-3.6 named the orthogonal class OrthogonalInitializer.
  const Initializer ortho = Initializer::from_config(Config::parse(
      R"({"module": "keras.initializers", "class_name": "OrthogonalInitializer", "config": {"gain": 0.5, "seed": 1}, "registered_name": null})"));
  CHECK(ortho.to_config()["config"].dump() == R"({"seed":1,"gain":0.5})");
  // input_axes other than null would change the fans: refused rather than ignored.
  CHECK_THROWS_WITH_AS(Initializer::from_config(Config::parse(
                           R"({"class_name": "GlorotUniform", "config": {"seed": null, "input_axes": [0], "output_axes": [1]}})")),
                       doctest::Contains("input_axes"), NotImplementedError);
  CHECK_THROWS_WITH_AS(Initializer::from_config(Config::parse(R"({"config": {}})")), doctest::Contains("class_name"),
                       ValueError);
}

}  // TEST_SUITE
