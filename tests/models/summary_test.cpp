#include <keras/keras.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

using namespace keras;

namespace {

// How the expected tables below were derived, from keras/src/utils/summary_utils.py (print_summary)
// and the rules of the `rich` table it prints with:
//  - line_length defaults to min(88, terminal columns - 4) (108 when the "Connected to" column is
//    shown); the tests set COLUMNS=200, so 88 / 108. positions default to [0.45, 0.80, 1.0]
//    (sequential-like) or [0.3, 0.56, 0.74, 1.0]; column i gets int(pos_i * line_length) - int(pos_{i-1} * line_length)
//    cells: 39, 31, 18 for 88; 32, 28, 19, 29 for 108.
//  - rich adds one space of padding each side (41, 33, 20) and, as the columns are fixed, takes the
//    excess over line_length - borders (88 - 4 = 84) evenly from the columns, first to last, each
//    share rounded half-to-even: excess 10 -> round(10/3) = 3, round(7/2) = 4, 3 -> widths 38, 29, 17
//    (108: 34, 30, 21, 31 -> 116 - 103 = 13 -> 3, 3, 4, 3 -> 31, 27, 17, 28).
//  - box HEAVY_HEAD (┏━┳┓ ┃ ┡━╇┩ │ ├─┼┤ └─┴┘), a rule between rows (show_lines=True); "Param #" right
//    aligned; cells word-wrapped, a word wider than its column cut with "…".
//  - rows: "name (ClassName)", the shape of the layer's latest node as "(None, 64)", params with
//    thousands separators; "Connected to" lists "layer[node][tensor]" for every input of every node.
//  - totals: count and size (4 bytes per float32 parameter) in B/KB/MB with two decimals:
//    50,890 * 4 = 203,560 B = 198.79 KB.
// The 88-wide Sequential layout is the one Keras 3 prints (the second test reproduces a table
// printed by Keras itself, found in a public notebook, without its "Optimizer params" line).

// Sets an environment variable for the scope of a test (summary sizes itself to $COLUMNS, as Keras).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A two-input layer (the merge layers live elsewhere): the sum of its inputs.
class AddTwo final : public Layer {
 public:
  explicit AddTwo(LayerOptions options = {}) : Layer("AddTwo", options) {}
  using Layer::call;
  Tensors call(const Tensors& inputs, bool /*training*/) override { return {inputs.at(0) + inputs.at(1)}; }
  std::shared_ptr<Layer> clone() const override { return std::make_shared<AddTwo>(*this); }
};

}  // namespace

TEST_SUITE("models") {

TEST_CASE("summary of a Sequential model matches Keras's table, totals and byte sizes") {
  ScopedEnv columns("COLUMNS", "200");
  Sequential model({Input({784}), layers::Dense(64, {.activation = "relu", .name = "dense"}),
                    layers::Dense(10, {.name = "dense_1"})},
                   {.name = "sequential"});
  const std::string expected = R"txt(Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ dense (Dense)                        │ (None, 64)                  │          50,240 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 10)                  │             650 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 50,890 (198.79 KB)
 Trainable params: 50,890 (198.79 KB)
 Non-trainable params: 0 (0.00 B)
)txt";
  CHECK(model.summary_string() == expected);
  std::ostringstream os;
  model.summary(os);
  CHECK(os.str() == expected);
}

TEST_CASE("summary reproduces a table printed by Keras 3") {
  ScopedEnv columns("COLUMNS", "200");
  Sequential model({Input({3}), layers::Dense(64, {.activation = "relu", .name = "dense_12"}),
                    layers::Dense(64, {.activation = "relu", .name = "dense_13"}), layers::Dense(1, {.name = "dense_14"})},
                   {.name = "sequential_4"});
  CHECK(model.summary_string() == R"txt(Model: "sequential_4"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ dense_12 (Dense)                     │ (None, 64)                  │             256 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_13 (Dense)                     │ (None, 64)                  │           4,160 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_14 (Dense)                     │ (None, 1)                   │              65 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 4,481 (17.50 KB)
 Trainable params: 4,481 (17.50 KB)
 Non-trainable params: 0 (0.00 B)
)txt");
}

TEST_CASE("summary of a functional model with two inputs adds the Connected to column") {
  ScopedEnv columns("COLUMNS", "200");
  // Layers in Keras's order: by decreasing depth, ties in the order a walk from the output met them.
  // The merge node has two inputs, so the graph is not sequential-like: 108 wide, four columns.
  // "hidden[0][0], meta_proj[0][0]" (29 cells) wraps after the comma in the 26-cell column.
  // Params: 16*32+32 = 544, 4*32+32 = 160, 32*10+10 = 330; 1,034 * 4 B = 4.04 KB.
  KerasTensor features = Input({16}, {.name = "features"});
  KerasTensor meta = Input({4}, {.name = "meta"});
  KerasTensor h = layers::Dense(32, {.activation = "relu", .name = "hidden"})(features);
  KerasTensor m = layers::Dense(32, {.name = "meta_proj"})(meta);
  KerasTensor s = AddTwo({.name = "add"})({h, m});
  KerasTensor out = layers::Dense(10, {.name = "logits"})(s);
  Model model({features, meta}, {out}, {.name = "two_inputs"});
  CHECK(model.count_params() == 1034);
  CHECK(model.summary_string() == R"txt(Model: "two_inputs"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ features (InputLayer)         │ (None, 16)                │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ meta (InputLayer)             │ (None, 4)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ hidden (Dense)                │ (None, 32)                │             544 │ features[0][0]             │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ meta_proj (Dense)             │ (None, 32)                │             160 │ meta[0][0]                 │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ add (AddTwo)                  │ (None, 32)                │               0 │ hidden[0][0],              │
│                               │                           │                 │ meta_proj[0][0]            │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ logits (Dense)                │ (None, 10)                │             330 │ add[0][0]                  │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 1,034 (4.04 KB)
 Trainable params: 1,034 (4.04 KB)
 Non-trainable params: 0 (0.00 B)
)txt");
}

TEST_CASE("a functional chain is sequential-like and has no Connected to column") {
  ScopedEnv columns("COLUMNS", "200");
  KerasTensor x = Input({4}, {.name = "chain_in"});
  KerasTensor y = layers::Dense(2, {.name = "chain_dense"})(x);
  Model model(x, y, {.name = "chain"});
  const std::string text = model.summary_string();
  CHECK(text.find("Connected to") == std::string::npos);
  CHECK(text.find("│ chain_in (InputLayer)                │ (None, 4)                   │               0 │") !=
        std::string::npos);

  // A layer called twice makes the graph non-sequential even when it is a chain.
  layers::Dense twice(4, {.name = "twice"});
  KerasTensor a = Input({4}, {.name = "twice_in"});
  Model shared(a, twice(twice(a)), {.name = "shared"});
  const std::string shared_text = shared.summary_string();
  CHECK(shared_text.find("Connected to") != std::string::npos);
  CHECK(shared_text.find("│ twice (Dense)                 │ (None, 4)                 │              20 │ twice_in[0][0],            │\n"
                         "│                               │                           │                 │ twice[0][0]                │\n") !=
        std::string::npos);
}

TEST_CASE("summary lists layers in Keras's order when a shared layer sits at two depths") {
  // out1 = s(T(x)), out2 = Q(s(R(x))). Keras's map_graph raises s's shallow node to the depth of its
  // deeper one (1), so T lands at depth 2 beside R and comes first (met first from the outputs).
  KerasTensor x = Input({4}, {.name = "x"});
  layers::Dense s(4, {.name = "s"});
  KerasTensor out1 = s(layers::Dense(4, {.name = "T"})(x));
  KerasTensor out2 = layers::Dense(4, {.name = "Q"})(s(layers::Dense(4, {.name = "R"})(x)));
  Model model({x}, {out1, out2}, {.name = "ordered"});
  std::vector<std::string> names;
  for (const auto& layer : model.layers()) names.push_back(layer->name());
  CHECK(names == std::vector<std::string>{"x", "T", "R", "s", "Q"});
  const std::string text = model.summary_string({.line_length = 108});
  CHECK(text.find("T (Dense)") < text.find("R (Dense)"));
  CHECK(text.find("R (Dense)") < text.find("s (Dense)"));
  CHECK(text.find("│ s (Dense)                     │ (None, 4)                 │              20 │ T[0][0], R[0][0]           │") !=
        std::string::npos);
}

TEST_CASE("summary wraps and cuts cells in a narrow console as Keras does") {
  // line_length 76 (what Keras uses when the terminal size is unknown: 80 - 4) gives the columns
  // 21, 19, 12, 19; "(InputLayer)" moves to a second line, a 25-letter name is cut to 18 + "…".
  KerasTensor x = Input({224, 224, 3}, {.name = "input_layer_8"});
  KerasTensor a = layers::Dense(16, {.name = "efficientnetb0_projection"})(x);
  KerasTensor b = layers::Dense(2, {.name = "head"})(x);
  Model model({x}, {a, b}, {.name = "functional_5"});
  CHECK(model.summary_string({.line_length = 76}) == R"txt(Model: "functional_5"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer_8       │ (None, 224, 224,  │          0 │ -                 │
│ (InputLayer)        │ 3)                │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ efficientnetb0_pro… │ (None, 224, 224,  │         64 │ input_layer_8[0]… │
│ (Dense)             │ 16)               │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ head (Dense)        │ (None, 224, 224,  │          8 │ input_layer_8[0]… │
│                     │ 2)                │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 72 (288.00 B)
 Trainable params: 72 (288.00 B)
 Non-trainable params: 0 (0.00 B)
)txt");
}

TEST_CASE("summary can expand nested models and show which layers train") {
  ScopedEnv columns("COLUMNS", "200");
  // show_trainable: line_length 88 + 12 = 100, positions scaled by 0.9 plus a last one at 1.0:
  // 40, 32, 18, 10 -> padded 42, 34, 20, 12 -> less 13 -> 39, 31, 16, 9 ("Trainable" is cut).
  // The frozen inner model's 8*4+4 + 4*4+4 = 56 weights count as non-trainable.
  Sequential inner({layers::Dense(4, {.name = "d1"}), layers::Dense(4, {.name = "d2"})}, {.name = "inner"});
  Sequential outer({Input({8}), inner, layers::Dense(1, {.name = "out"})}, {.name = "outer"});
  inner.set_trainable(false);
  CHECK(outer.summary_string({.expand_nested = true, .show_trainable = true}) == R"txt(Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ Layer (type)                          ┃ Output Shape                  ┃        Param # ┃ Traina… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ inner (Sequential)                    │ (None, 4)                     │             56 │    N    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ d1 (Dense)                       │ (None, 4)                     │             36 │    N    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│    └ d2 (Dense)                       │ (None, 4)                     │             20 │    N    │
├───────────────────────────────────────┼───────────────────────────────┼────────────────┼─────────┤
│ out (Dense)                           │ (None, 1)                     │              5 │    Y    │
└───────────────────────────────────────┴───────────────────────────────┴────────────────┴─────────┘
 Total params: 61 (244.00 B)
 Trainable params: 5 (20.00 B)
 Non-trainable params: 56 (224.00 B)
)txt");
}

TEST_CASE("summary of an unbuilt Sequential model shows ? and 0 (unbuilt)") {
  ScopedEnv columns("COLUMNS", "200");
  Sequential model({layers::Dense(3, {.name = "lazy"})}, {.name = "lazy_model"});
  const std::string text = model.summary_string();
  CHECK(text.find("│ lazy (Dense)                         │ ?                           │     0 (unbuilt) │") !=
        std::string::npos);
  CHECK(text.find(" Total params: 0 (0.00 B)\n") != std::string::npos);
  model(ops::ones({2, 5}));
  CHECK(model.summary_string().find("│ lazy (Dense)                         │ (None, 3)                   │              18 │") !=
        std::string::npos);
}

TEST_CASE("summary sizes itself to the terminal and rejects a console too narrow") {
  Sequential model({Input({2}), layers::Dense(1, {.name = "tiny"})}, {.name = "tiny_model"});
  {
    ScopedEnv columns("COLUMNS", "60");  // default line_length min(88, 60 - 4) = 56
    const std::string text = model.summary_string();
    const std::string top = text.substr(text.find('\n') + 1, text.find('\n', text.find('\n') + 1) - text.find('\n') - 1);
    CHECK(top.size() == 56 * 3);  // 56 box-drawing characters of 3 bytes each
  }
  CHECK_THROWS_WITH_AS(model.summary_string({.line_length = 8}), doctest::Contains("Insufficient console width"),
                       ValueError);
  CHECK_THROWS_WITH_AS(model.summary_string({.positions = {0.5, 1.0}}), doctest::Contains("one entry per column"),
                       ValueError);
}

TEST_CASE("summary layer_range prints the layers between two name patterns") {
  ScopedEnv columns("COLUMNS", "200");
  Sequential model({Input({2}), layers::Dense(2, {.name = "first"}), layers::Dense(2, {.name = "middle"}),
                    layers::Dense(2, {.name = "last"})},
                   {.name = "ranged"});
  const std::string text = model.summary_string({.layer_range = {"mid", "la"}});
  CHECK(text.find("first (Dense)") == std::string::npos);
  CHECK(text.find("middle (Dense)") != std::string::npos);
  CHECK(text.find("last (Dense)") != std::string::npos);
  // Totals still count the whole model: 3 * (2*2+2).
  CHECK(text.find(" Total params: 18 (72.00 B)") != std::string::npos);
  CHECK_THROWS_WITH_AS(model.summary_string({.layer_range = {"nothing", "last"}}),
                       doctest::Contains("do not match the layer names"), ValueError);
  CHECK_THROWS_WITH_AS(model.summary_string({.layer_range = {"first"}}), doctest::Contains("length 2"), ValueError);
}

}  // TEST_SUITE
