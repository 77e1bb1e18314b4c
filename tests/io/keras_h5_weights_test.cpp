#include <keras/io/keras_h5_weights.h>
#include <keras/keras.h>
#include <keras/layers/registry.h>

#include <doctest/doctest.h>

#include "support/files.h"
#include "support/gradient_check.h"

#include <cstring>

using namespace keras;
using keras::testing::TempDir;

namespace {

// A layer with twelve weights: keys "10" and "11" sort before "2" by name, not by number.
class ManyWeights final : public Layer {
 public:
  explicit ManyWeights(LayerOptions options = {}) : Layer("ManyWeights", options) {
    for (int i = 0; i < 12; ++i) weights_.push_back(declare_weight(std::string("w").append(std::to_string(i))));
  }
  void build(const Shape& /*input_shape*/) override {
    for (int64_t i = 0; i < 12; ++i) add_weight(weights_[static_cast<size_t>(i)], {.shape = {i + 1}, .initializer = "random_normal"});
  }
  using Layer::call;
  Tensor call(const Tensor& inputs, bool /*training*/) override { return inputs; }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<ManyWeights>(*this); }

 private:
  std::vector<Variable> weights_;
};

// A layer holding a Dense that Keras would reach through the attribute `cell` (as an RNN does).
class CellWrapper final : public Layer {
 public:
  explicit CellWrapper(LayerOptions options = {}) : Layer("CellWrapper", options) { track(cell_); }
  void build(const Shape& input_shape) override { cell_.build_from_config({input_shape}); }
  using Layer::call;
  Tensor call(const Tensor& inputs, bool training) override { return cell_(inputs, training); }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<CellWrapper>(*this); }
  const layers::Dense& cell() const { return cell_; }

 private:
  layers::Dense cell_{2};
};

[[maybe_unused]] const bool registered_children = io::register_saveable_children(
    "CellWrapper", [](const Layer& layer) {
      return std::vector<std::pair<std::string, std::shared_ptr<Layer>>>{
          {"cell", static_cast<const CellWrapper&>(layer).cell().clone()}};
    });

bool same_weights(const Layer& a, const Layer& b) {
  const Tensors wa = a.get_weights(), wb = b.get_weights();
  if (wa.size() != wb.size()) return false;
  for (size_t i = 0; i < wa.size(); ++i) {
    if (wa[i].shape() != wb[i].shape() || wa[i].dtype() != wb[i].dtype() ||
        std::memcmp(wa[i].data(), wb[i].data(), wa[i].nbytes()) != 0) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> paths(const nlohmann::json& layout) {
  std::vector<std::string> out;
  for (const auto& e : layout) out.push_back(e["path"].get<std::string>());
  return out;
}

Model functional_with_nested_sequential() {
  KerasTensor a = Input({4}, {.name = "a"});
  KerasTensor b = Input({4}, {.name = "b"});
  Sequential inner({layers::Dense(3, {.name = "inner_1"}), layers::Dense(3, {.name = "inner_2"})}, {.name = "inner"});
  KerasTensor x = layers::Add()({inner(a), layers::Dense(3, {.name = "side"})(b)});
  return Model({a, b}, {layers::Dense(2, {.name = "head"})(x)}, {.name = "outer"});
}

}  // namespace

TEST_SUITE("io") {

TEST_CASE("A Functional model's weights file follows Keras's layout: class-named paths, InputLayers, nested layers") {
  Model model = functional_with_nested_sequential();
  TempDir dir;
  model.save_weights(dir / "m.weights.h5");
  const io::H5File file = io::H5File::open(dir / "m.weights.h5");
  const nlohmann::json layout = keras::testing::h5_layout(file);
  // Layers in model.layers order, named per class; the nested Sequential's own layers below it.
  CHECK(paths(layout) == std::vector<std::string>{
                             "layers", "layers/add", "layers/add/vars", "layers/dense", "layers/dense/vars",
                             "layers/dense/vars/0", "layers/dense/vars/1", "layers/dense_1", "layers/dense_1/vars",
                             "layers/dense_1/vars/0", "layers/dense_1/vars/1", "layers/input_layer",
                             "layers/input_layer/vars", "layers/input_layer_1", "layers/input_layer_1/vars",
                             "layers/sequential", "layers/sequential/layers", "layers/sequential/layers/dense",
                             "layers/sequential/layers/dense/vars", "layers/sequential/layers/dense/vars/0",
                             "layers/sequential/layers/dense/vars/1", "layers/sequential/layers/dense_1",
                             "layers/sequential/layers/dense_1/vars", "layers/sequential/layers/dense_1/vars/0",
                             "layers/sequential/layers/dense_1/vars/1", "layers/sequential/vars", "vars"});
  // Every vars group, empty or not, names its object.
  CHECK(file.group("vars").read_string_attribute("name") == "outer");
  CHECK(file.group("layers/input_layer/vars").read_string_attribute("name") == "a");
  CHECK(file.group("layers/input_layer_1/vars").read_string_attribute("name") == "b");
  CHECK(file.group("layers/sequential/vars").read_string_attribute("name") == "inner");
  CHECK(file.group("layers/sequential/layers/dense_1/vars").read_string_attribute("name") == "inner_2");
  CHECK(file.group("layers/add/vars").children().empty());
  CHECK(file.dataset("layers/sequential/layers/dense/vars/0").shape() == Shape{4, 3});
  // Model.layers order: depth first, so the Dense "side" is layers/dense and "head" layers/dense_1.
  CHECK(file.group("layers/dense/vars").read_string_attribute("name") == "side");
  CHECK(file.group("layers/dense_1/vars").read_string_attribute("name") == "head");

  Model copy = functional_with_nested_sequential();
  CHECK_FALSE(same_weights(model, copy));
  copy.load_weights(dir / "m.weights.h5");
  CHECK(same_weights(model, copy));
}

TEST_CASE("Variables are read by number, so key '10' is the eleventh variable") {
  Sequential model({Input({3}), ManyWeights()});
  TempDir dir;
  model.save_weights(dir / "many.weights.h5");
  const io::H5File file = io::H5File::open(dir / "many.weights.h5");
  CHECK(file.group("layers/many_weights/vars").children() ==
        std::vector<std::string>{"0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9"});
  CHECK(file.dataset("layers/many_weights/vars/10").shape() == Shape{11});
  Sequential copy({Input({3}), ManyWeights()});
  copy.load_weights(dir / "many.weights.h5");
  CHECK(same_weights(model, copy));
}

TEST_CASE("Layers that register their children are saved at Keras's attribute paths") {
  Sequential model({Input({3}), CellWrapper({.name = "wrapper"})});
  TempDir dir;
  model.save_weights(dir / "cell.weights.h5");
  const io::H5File file = io::H5File::open(dir / "cell.weights.h5");
  CHECK(file.has_dataset("layers/cell_wrapper/cell/vars/0"));
  CHECK(file.has_dataset("layers/cell_wrapper/cell/vars/1"));
  CHECK(file.group("layers/cell_wrapper/vars").children().empty());
  Sequential copy({Input({3}), CellWrapper()});
  copy.load_weights(dir / "cell.weights.h5");
  CHECK(same_weights(model, copy));
}

TEST_CASE("Half, bfloat16 and float64 weights survive a weights file byte for byte") {
  for (const char* policy : {"float64", "float16", "bfloat16", "mixed_float16"}) {
    INFO(std::string(policy));
    Sequential model({Input({3}), layers::Dense(4, {.bias_initializer = "random_normal", .dtype = policy})});
    TempDir dir;
    model.save_weights(dir / "w.weights.h5");
    Sequential copy({Input({3}), layers::Dense(4, {.dtype = policy})});
    copy.load_weights(dir / "w.weights.h5");
    CHECK(same_weights(model, copy));
  }
}

TEST_CASE("Weights files with missing or misshapen variables are refused and leave the model unchanged") {
  Sequential model({Input({3}, {.name = "in"}), layers::Dense(4, {.name = "first"}), layers::Dense(2, {.name = "second"})});
  std::vector<io::Saveable> saveables = io::collect_saveables(model);
  REQUIRE(saveables.size() == 3);
  CHECK(saveables[2].path == "layers/dense_1");
  TempDir dir;
  auto write = [&](const std::vector<io::Saveable>& s) {
    io::H5File file = io::H5File::create(dir / "bad.weights.h5");
    io::write_saveables(file, s);
    file.close();
  };
  Sequential target({Input({3}), layers::Dense(4, {.name = "t1"}), layers::Dense(2, {.name = "t2"})});
  const Tensors before = target.get_weights();
  auto unchanged = [&] {
    const Tensors now = target.get_weights();
    for (size_t i = 0; i < now.size(); ++i) {
      if (std::memcmp(now[i].data(), before[i].data(), now[i].nbytes()) != 0) return false;
    }
    return true;
  };

  auto missing = saveables;
  missing[2].variables.pop_back();  // no bias for "second"
  write(missing);
  CHECK_THROWS_WITH_AS(target.load_weights(dir / "bad.weights.h5"),
                       doctest::Contains("layer 't2' (Dense) expected 2 variables, but received 1"), ValueError);
  CHECK(unchanged());

  auto misshapen = saveables;
  misshapen[2].variables[0] = Variable(ops::zeros({4, 3}), {.name = "kernel"});
  write(misshapen);
  CHECK_THROWS_WITH_AS(target.load_weights(dir / "bad.weights.h5"), doctest::Contains("has shape (4, 3)"), ValueError);
  CHECK_THROWS_WITH_AS(target.load_weights(dir / "bad.weights.h5"), doctest::Contains("bad.weights.h5"), ValueError);
  CHECK(unchanged());

  auto no_group = saveables;
  no_group.erase(no_group.begin() + 1);
  write(no_group);
  CHECK_THROWS_WITH_AS(target.load_weights(dir / "bad.weights.h5"), doctest::Contains("no group 'layers/dense/vars'"),
                       ValueError);
  CHECK(unchanged());

  // The same file loads into a model of the right shape.
  write(saveables);
  target.load_weights(dir / "bad.weights.h5");
  CHECK(same_weights(model, target));
}

TEST_CASE("Older weights files without empty vars groups still load") {
  Sequential model({Input({3}), layers::Dense(4), layers::Rescaling(2.0), layers::Dense(2)});
  std::vector<io::Saveable> saveables = io::collect_saveables(model);
  std::erase_if(saveables, [](const io::Saveable& s) { return s.variables.empty(); });
  TempDir dir;
  {
    io::H5File file = io::H5File::create(dir / "old.weights.h5");
    io::write_saveables(file, saveables);
    file.close();
  }
  Sequential copy({Input({3}), layers::Dense(4), layers::Rescaling(2.0), layers::Dense(2)});
  copy.load_weights(dir / "old.weights.h5");
  CHECK(same_weights(model, copy));
}

TEST_CASE("save_weights requires the .weights.h5 suffix, as Keras does") {
  Sequential model({Input({3}), layers::Dense(2)});
  TempDir dir;
  CHECK_THROWS_WITH_AS(model.save_weights(dir / "w.h5"), doctest::Contains("must end in `.weights.h5`"), ValueError);
  CHECK_THROWS_WITH_AS(model.load_weights(dir / "w.txt"), doctest::Contains("File format not supported"), ValueError);
  CHECK(dir.files().empty());
}

}  // TEST_SUITE
