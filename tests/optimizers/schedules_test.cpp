#include <keras/core/errors.h>
#include <keras/optimizers/schedules.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

using namespace keras;
using namespace keras::optimizers::schedules;
using keras::optimizers::LearningRate;

namespace {
// A schedule survives LearningRate::to_config -> from_config with the same config and values.
template <class Schedule>
void check_round_trip(const Schedule& schedule, std::initializer_list<int64_t> steps) {
  const LearningRate rate(schedule);
  const Config dict = rate.to_config();
  CHECK(dict["module"] == "keras.optimizers.schedules");
  CHECK(dict["class_name"] == schedule.class_name());
  CHECK(dict["registered_name"].is_null());
  const LearningRate back = LearningRate::from_config(dict);
  CHECK(back.is_schedule());
  CHECK(back.to_config() == dict);
  for (int64_t step : steps) CHECK(back.at(step) == schedule(step));
}
}  // namespace

TEST_SUITE("training") {

TEST_CASE("ExponentialDecay decays continuously or by stairs") {
  // 0.1·0.96^(5/10) = 0.0979795897
  CHECK(ExponentialDecay(0.1, 10, 0.96)(5) == doctest::Approx(0.0979795897));
  const ExponentialDecay stairs(0.1, 3, 0.96, {.staircase = true, .name = "my_ed"});
  CHECK(stairs(2) == doctest::Approx(0.1));                  // floor(2/3) = 0
  CHECK(stairs(100) == doctest::Approx(0.0259986436));       // 0.1·0.96^33
  CHECK(stairs.get_config().dump() ==
        R"({"initial_learning_rate":0.1,"decay_steps":3,"decay_rate":0.96,"staircase":true,"name":"my_ed"})");
  check_round_trip(stairs, {0, 3, 100});
  CHECK_THROWS_WITH_AS(ExponentialDecay(0.1, 0, 0.9), doctest::Contains("decay_steps"), ValueError);
}

TEST_CASE("PiecewiseConstantDecay switches value after each boundary") {
  const PiecewiseConstantDecay piecewise({100, 110, 120}, {1.0, 0.1, 0.01, 0.001});
  CHECK(piecewise(-999) == 1.0);
  CHECK(piecewise(100) == 1.0);  // step <= boundaries[0]
  CHECK(piecewise(105) == 0.1);
  CHECK(piecewise(110) == 0.1);
  CHECK(piecewise(120) == 0.01);
  CHECK(piecewise(999) == 0.001);
  CHECK(piecewise.get_config().dump() ==
        R"({"boundaries":[100,110,120],"values":[1.0,0.1,0.01,0.001],"name":"PiecewiseConstant"})");
  check_round_trip(piecewise, {0, 105, 999});
  CHECK_THROWS_WITH_AS(PiecewiseConstantDecay({1, 2}, {1.0, 2.0}), doctest::Contains("1 less than"), ValueError);
  CHECK_THROWS_WITH_AS(PiecewiseConstantDecay({2, 1}, {1.0, 2.0, 3.0}), doctest::Contains("increasing"), ValueError);
}

TEST_CASE("PolynomialDecay reaches end_learning_rate at decay_steps, or cycles") {
  // (0.05 - 0.001)·(1 - 5/10) + 0.001 = 0.0255
  CHECK(PolynomialDecay(0.05, 10, {.end_learning_rate = 0.001})(5) == doctest::Approx(0.0255));
  CHECK(PolynomialDecay(0.05, 10, {.end_learning_rate = 0.001})(15) == doctest::Approx(0.001));
  // power 2: 0.049·(1 - 0.5)² + 0.001 = 0.01325
  CHECK(PolynomialDecay(0.05, 10, {.end_learning_rate = 0.001, .power = 2.0})(5) == doctest::Approx(0.01325));
  // cycle: step 15 decays over 20 steps: 0.049·(1 - 15/20) + 0.001 = 0.01325; step 0 gives the initial rate
  const PolynomialDecay cycle(0.05, 10, {.end_learning_rate = 0.001, .cycle = true});
  CHECK(cycle(15) == doctest::Approx(0.01325));
  CHECK(cycle(0) == doctest::Approx(0.05));
  check_round_trip(cycle, {0, 5, 15, 25});
  CHECK(PolynomialDecay(0.1, 100).get_config()["end_learning_rate"] == 0.0001);
}

TEST_CASE("InverseTimeDecay divides by 1 + decay_rate·step/decay_steps") {
  // 0.1/(1 + 0.96·5/10) = 0.0675675676
  CHECK(InverseTimeDecay(0.1, 10, 0.96)(5) == doctest::Approx(0.0675675676));
  // staircase: 0.1/(1 + 0.96·floor(15/10)) = 0.0510204082
  const InverseTimeDecay stairs(0.1, 10, 0.96, {.staircase = true});
  CHECK(stairs(15) == doctest::Approx(0.0510204082));
  CHECK(stairs(9) == doctest::Approx(0.1));
  check_round_trip(stairs, {0, 9, 15});
}

TEST_CASE("CosineDecay follows half a cosine to alpha, after an optional linear warmup") {
  // 0.5·(1 + cos(pi/4)) = 0.8535533906
  CHECK(CosineDecay(1.0, 1000)(250) == doctest::Approx(0.8535533906));
  CHECK(CosineDecay(1.0, 1000)(1500) == doctest::Approx(0.0).epsilon(1e-12));
  // alpha 0.1: 0.9·0.5·(1 + cos(pi/2)) + 0.1 = 0.55
  CHECK(CosineDecay(1.0, 1000, {.alpha = 0.1})(500) == doctest::Approx(0.55));
  const CosineDecay warm(0.05, 10, {.alpha = 0.1, .name = "my_cd", .warmup_target = 0.2, .warmup_steps = 2});
  CHECK(warm(1) == doctest::Approx(0.125));  // (0.2 - 0.05)·1/2 + 0.05
  CHECK(warm(7) == doctest::Approx(0.11));   // 0.2·(0.9·0.5·(1 + cos(pi·5/10)) + 0.1)
  CHECK(warm(50) == doctest::Approx(0.02));  // 0.2·alpha once decayed
  CHECK(warm.get_config().dump() ==
        R"({"initial_learning_rate":0.05,"decay_steps":10,"alpha":0.1,"name":"my_cd","warmup_target":0.2,"warmup_steps":2})");
  CHECK(CosineDecay(0.1, 10).get_config()["warmup_target"].is_null());
  check_round_trip(warm, {0, 1, 7, 50});
}

TEST_CASE("CosineDecayRestarts restarts with longer periods and lower peaks") {
  // t_mul 2: periods of 1000, 2000, 4000 steps
  const CosineDecayRestarts sgdr(1.0, 1000);
  CHECK(sgdr(250) == doctest::Approx(0.8535533906));
  CHECK(sgdr(1000) == doctest::Approx(1.0));          // a restart
  CHECK(sgdr(1500) == doctest::Approx(0.8535533906));  // 500 of 2000 steps
  // m_mul 0.9: step 3500 is 500 of 4000 steps into the third period: 0.81·0.5·(1 + cos(pi/8))
  CHECK(CosineDecayRestarts(1.0, 1000, {.m_mul = 0.9})(3500) == doctest::Approx(0.7791712107));
  // t_mul 1, m_mul 0.5, alpha 0.1 at 1250: 0.9·0.5·0.5·(1 + cos(pi/4)) + 0.1
  const CosineDecayRestarts same(1.0, 1000, {.t_mul = 1.0, .m_mul = 0.5, .alpha = 0.1});
  CHECK(same(1250) == doctest::Approx(0.4840990258));
  CHECK(sgdr.get_config().dump() ==
        R"({"initial_learning_rate":1.0,"first_decay_steps":1000,"t_mul":2.0,"m_mul":1.0,"alpha":0.0,"name":"SGDRDecay"})");
  check_round_trip(same, {0, 1250, 2500});
}

TEST_CASE("LearningRate is a number or a schedule") {
  const LearningRate constant = 0.01;
  CHECK_FALSE(constant.is_schedule());
  CHECK(constant.at(100) == 0.01);
  CHECK(constant.to_config() == 0.01);
  CHECK(LearningRate::from_config(Config(0.5)).at(0) == 0.5);
  // Keras 2 style dicts without module
  const Config legacy = Config::parse(
      R"({"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}})");
  CHECK(LearningRate::from_config(legacy).at(10) == doctest::Approx(0.05));
  CHECK_THROWS_WITH_AS(LearningRate::from_config(Config::parse(R"({"class_name": "Nope", "config": {}})")),
                       doctest::Contains("Unknown learning rate schedule"), ValueError);
  CHECK_THROWS_WITH_AS(
      LearningRate::from_config(Config::parse(R"({"class_name": "ExponentialDecay", "config": {"decay_steps": 1}})")),
      doctest::Contains("initial_learning_rate"), ValueError);
  CHECK_THROWS_WITH_AS(LearningRate::from_config(Config::parse(
                           R"({"class_name": "InverseTimeDecay", "config": {"initial_learning_rate": 0.1,
                               "decay_steps": 1, "decay_rate": 0.5, "typo": 1}})")),
                       doctest::Contains("'typo'"), ValueError);
}

}  // TEST_SUITE
