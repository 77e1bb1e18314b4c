// Runs the built keras-cli (KERAS_CLI_PATH, set by tests/CMakeLists.txt) on the Keras fixtures.
#ifdef KERAS_CLI_PATH
#include <keras/io/npy.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include "support/files.h"
#include "support/gradient_check.h"

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

using namespace keras;
using keras::testing::keras_fixture;
using keras::testing::read_bytes;
using keras::testing::read_json;
using keras::testing::tensor_from_json;
using keras::testing::TempDir;
using nlohmann::json;

namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// keras-cli with `args` (already quoted where needed), its stdout and stderr captured; `env` is
// prepended to the shell command ("PATH=/x").
Run cli(const TempDir& dir, const std::string& args, const std::string& env = "") {
  const std::string out = dir / "stdout.txt", err = dir / "stderr.txt";
  const std::string command = env + (env.empty() ? "" : " ") + quoted(KERAS_CLI_PATH) + " " + args + " >" +
                              quoted(out) + " 2>" + quoted(err);
  const int raw = std::system(command.c_str());
  Run run;
  run.status = raw >= 0 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  const auto o = read_bytes(out), e = read_bytes(err);
  run.out.assign(o.begin(), o.end());
  run.err.assign(e.begin(), e.end());
  return run;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.data(), b.data(), a.nbytes()) == 0;
}

// Two inputs, two outputs: what .npz inputs and outputs are for.
std::shared_ptr<Model> two_way_model() {
  KerasTensor a = Input({3}, {.name = "a"});
  KerasTensor b = Input({2}, {.name = "b"});
  KerasTensor joined = layers::Concatenate({.name = "join"})({a, b});
  KerasTensor h = layers::Dense(4, {.activation = "relu", .name = "hidden"})(joined);
  return std::make_shared<Model>(std::vector<KerasTensor>{a, b},
                                 std::vector<KerasTensor>{layers::Dense(2, {.name = "left"})(h),
                                                          layers::Dense(1, {.name = "right"})(h)},
                                 ModelOptions{.name = "two_way"});
}

}  // namespace

TEST_SUITE("tools") {

TEST_CASE("keras-cli predict on Keras's mlp.keras and mlp.h5 matches what Keras predicted") {
  const json e = read_json(keras_fixture("mlp.expected.json"));
  const json& mlp = e["mlp"];
  const double rtol = e["tolerance"]["rtol"].get<double>(), atol = e["tolerance"]["atol"].get<double>();
  TempDir dir;
  io::save_npy(dir / "x.npy", tensor_from_json(mlp["inputs"]["values"][0], mlp["inputs"]["shapes"][0]));
  const Tensor want = tensor_from_json(mlp["outputs"]["values"][0], mlp["outputs"]["shapes"][0]);
  for (const char* file : {"mlp.keras", "mlp.h5"}) {
    INFO(file);
    const Run run = cli(dir, "predict " + quoted(keras_fixture(file)) + " --input " + quoted(dir / "x.npy") +
                                 " --output " + quoted(dir / "y.npy"));
    REQUIRE_MESSAGE(run.status == 0, run.err);
    keras::testing::check_allclose(io::load_npy(dir / "y.npy"), want, rtol, atol);
  }
  // By input name, in batches that do not divide the samples, to a .npz keyed by the output's name.
  const std::string input_name = mlp["inputs"]["names"][0].get<std::string>();
  const Run named = cli(dir, "predict " + quoted(keras_fixture("mlp.keras")) + " --input " +
                                 quoted(input_name + "=" + dir / "x.npy") + " --batch-size 3 --output " +
                                 quoted(dir / "y.npz"));
  REQUIRE_MESSAGE(named.status == 0, named.err);
  const auto arrays = io::load_npz(dir / "y.npz");
  REQUIRE(arrays.size() == 1);
  CHECK(arrays[0].first == "probs");
  keras::testing::check_allclose(arrays[0].second, want, rtol, atol);
}

TEST_CASE("keras-cli predict runs a Keras 2 file and converts float64 inputs to the model's float32") {
  const json want = read_json(keras_fixture("keras2_style.json"));
  TempDir dir;
  io::save_npy(dir / "x.npy", tensor_from_json(want["x"], json::array({5, 3})).astype(DType::float64));
  const Run run = cli(dir, "predict " + quoted(keras_fixture("keras2_style.h5")) + " --input " + quoted(dir / "x.npy") +
                               " --output " + quoted(dir / "y.npy"));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const Tensor y = io::load_npy(dir / "y.npy");
  CHECK(y.dtype() == DType::float32);
  keras::testing::check_allclose(y, tensor_from_json(want["y"], json::array({5, 2})), 1e-5, 1e-5);
}

TEST_CASE("keras-cli convert between .keras, .h5 and .json + .weights.h5 keeps predictions identical") {
  TempDir dir;
  io::save_npy(dir / "x.npy", random::normal({7, 8}, {.seed = 3}));
  auto predict = [&](const std::string& model, const std::string& out) {
    const Run run = cli(dir, "predict " + quoted(model) + " --input " + quoted(dir / "x.npy") + " --output " + quoted(out));
    REQUIRE_MESSAGE(run.status == 0, run.err);
    return io::load_npy(out);
  };
  const Tensor original = predict(keras_fixture("mlp.keras"), dir / "y0.npy");
  const std::vector<std::pair<std::string, std::string>> steps = {
      {keras_fixture("mlp.keras"), dir / "a.h5"}, {dir / "a.h5", dir / "b.json"}, {dir / "b.json", dir / "c.keras"},
      {dir / "c.keras", dir / "d.json"},          {dir / "d.json", dir / "e.h5"}};
  for (const auto& step : steps) {
    const auto& in = step.first;
    const auto& out = step.second;
    INFO(in << " -> " << out);
    const Run run = cli(dir, "convert " + quoted(in) + " " + quoted(out));
    REQUIRE_MESSAGE(run.status == 0, run.err);
    CHECK(same_bytes(predict(out, dir / "y.npy"), original));
  }
  CHECK(std::filesystem::exists(dir / "b.weights.h5"));
  // .json + .weights.h5 and the legacy .h5 (training_config, optimizer_weights) keep the compile config and
  // the optimizer's state.
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {keras_fixture("mlp.keras"), dir / "k.json"}, {dir / "k.json", dir / "k.keras"},
           {keras_fixture("mlp.keras"), dir / "l.h5"}, {dir / "l.h5", dir / "l.keras"}}) {
    const Run run = cli(dir, "convert " + quoted(in) + " " + quoted(out));
    REQUIRE_MESSAGE(run.status == 0, run.err);
  }
  std::shared_ptr<Model> original_model = load_model(keras_fixture("mlp.keras"));
  for (const char* file : {"k.keras", "l.h5", "l.keras"}) {
    INFO(file);
    std::shared_ptr<Model> converted = load_model(dir / file);
    REQUIRE(converted->compiled());
    CHECK(converted->get_compile_config() == original_model->get_compile_config());
    const std::vector<Variable> want = original_model->optimizer().variables();
    const std::vector<Variable> got = converted->optimizer().variables();
    REQUIRE(want.size() == got.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(same_bytes(got[i].value(), want[i].value()));
  }
}

TEST_CASE("keras-cli show prints the file's metadata and the model's summary") {
  TempDir dir;
  const Run run = cli(dir, "show " + quoted(keras_fixture("mlp.keras")));
  REQUIRE_MESSAGE(run.status == 0, run.err);
  CHECK(run.out.find("Keras version: 3.16.0") != std::string::npos);
  CHECK(run.out.find("Date saved:") != std::string::npos);
  CHECK(run.out.find("Inputs:        mlp_in (None, 8) float32") != std::string::npos);
  CHECK(run.out.find("Outputs:       probs (None, 3) float32") != std::string::npos);
  CHECK(run.out.find("Compiled:      optimizer Adam") != std::string::npos);
  std::shared_ptr<Model> model = load_model(keras_fixture("mlp.keras"));
  CHECK(run.out.find(model->summary_string()) != std::string::npos);
  CHECK(run.out.find("Total params: 195") != std::string::npos);

  const Run legacy = cli(dir, "show " + quoted(keras_fixture("mlp.h5")));
  REQUIRE_MESSAGE(legacy.status == 0, legacy.err);
  CHECK(legacy.out.find("Backend:       torch") != std::string::npos);
  CHECK(legacy.out.find("legacy HDF5") != std::string::npos);

  // A config without its weights file still shows (with its initial weights' counts).
  std::shared_ptr<Model> two = two_way_model();
  const std::string text = two->to_json();
  keras::testing::write_bytes(dir / "two.json", keras::testing::to_bytes(text));
  const Run json_run = cli(dir, "show " + quoted(dir / "two.json") + " --show-trainable");
  REQUIRE_MESSAGE(json_run.status == 0, json_run.err);
  CHECK(json_run.out.find("Weights:       none") != std::string::npos);
  CHECK(json_run.out.find("Connected to") != std::string::npos);
  CHECK(json_run.out.find("Trainable") != std::string::npos);
}

TEST_CASE("keras-cli predict reads several inputs by name or from a .npz and writes every output to a .npz") {
  TempDir dir;
  std::shared_ptr<Model> model = two_way_model();
  model->save(dir / "two.keras");
  const Tensor a = random::normal({5, 3}, {.seed = 1}), b = random::normal({5, 2}, {.seed = 2});
  const Tensors want = model->predict(Tensors{a, b});
  io::save_npy(dir / "a.npy", a);
  io::save_npy(dir / "b.npy", b);
  io::save_npz(dir / "in.npz", {{"b", b}, {"a", a}});
  const std::string model_path = quoted(dir / "two.keras");
  for (const std::string& inputs : std::vector<std::string>{"--input " + quoted("b=" + dir / "b.npy") + " --input " + quoted("a=" + dir / "a.npy"),
                                    "--input " + quoted(dir / "a.npy") + " --input " + quoted(dir / "b.npy"),
                                    "--input " + quoted(dir / "in.npz")}) {
    INFO(inputs);
    const Run run = cli(dir, "predict " + model_path + " " + inputs + " --output " + quoted(dir / "out.npz"));
    REQUIRE_MESSAGE(run.status == 0, run.err);
    const auto outs = io::load_npz(dir / "out.npz");
    REQUIRE(outs.size() == 2);
    CHECK(outs[0].first == "left");
    CHECK(outs[1].first == "right");
    CHECK(same_bytes(outs[0].second, want[0]));
    CHECK(same_bytes(outs[1].second, want[1]));
  }
  // Runtime mistakes exit 1 with the reason.
  Run run = cli(dir, "predict " + model_path + " --input " + quoted(dir / "in.npz") + " --output " + quoted(dir / "o.npy"));
  CHECK(run.status == 1);
  CHECK(run.err.find("has 2 outputs (left, right): write them to a .npz file") != std::string::npos);
  run = cli(dir, "predict " + model_path + " --input " + quoted(dir / "a.npy") + " --output " + quoted(dir / "o.npz"));
  CHECK(run.status == 1);
  CHECK(run.err.find("has 2 input(s) (a, b) but 1 array(s) were given") != std::string::npos);
  run = cli(dir, "predict " + model_path + " --input " + quoted("c=" + dir / "a.npy") + " --output " + quoted(dir / "o.npz"));
  CHECK(run.status == 1);
  CHECK(run.err.find("has no input 'c'") != std::string::npos);
}

TEST_CASE("keras-cli plot writes the graph as Graphviz DOT with names, classes and shapes") {
  TempDir dir;
  std::shared_ptr<Model> model = two_way_model();
  model->save(dir / "two.keras");
  const Run run = cli(dir, "plot " + quoted(dir / "two.keras") + " -o " + quoted(dir / "two.dot") + " --rankdir LR");
  REQUIRE_MESSAGE(run.status == 0, run.err);
  const auto bytes = read_bytes(dir / "two.dot");
  const std::string dot(bytes.begin(), bytes.end());
  CHECK(dot.rfind("digraph G {\nrankdir=LR;", 0) == 0);
  CHECK(dot.find("<b>join</b> (Concatenate)") != std::string::npos);
  CHECK(dot.find("Input shape: <b>[(None, 3), (None, 2)]</b>") != std::string::npos);
  CHECK(dot.find("Output shape: <b>(None, 5)</b>") != std::string::npos);
  CHECK(dot.find("<b>a</b> (InputLayer)") != std::string::npos);
  // Layers are numbered in model.layers order: a, b, join, hidden, left, right.
  for (const char* edge : {"0 -> 2 ", "1 -> 2 ", "2 -> 3 ", "3 -> 4 ", "3 -> 5 "}) {
    INFO(edge);
    CHECK(dot.find(edge) != std::string::npos);
  }
  CHECK(dot.find("-> 0 ") == std::string::npos);

  // A Sequential is a chain of its layers.
  const Run seq = cli(dir, "plot " + quoted(keras_fixture("mlp.keras")) + " --output=" + quoted(dir / "mlp.gv"));
  REQUIRE_MESSAGE(seq.status == 0, seq.err);
  const auto mlp_bytes = read_bytes(dir / "mlp.gv");
  const std::string mlp(mlp_bytes.begin(), mlp_bytes.end());
  CHECK(mlp.find("<b>hidden</b> (Dense)</font></td></tr><tr><td bgcolor=\"white\"><font point-size=\"14\">Input shape: "
                 "<b>(None, 8)</b>") != std::string::npos);
  CHECK(mlp.find("0 -> 1 [penwidth=2];") != std::string::npos);

  // Images need Graphviz: without `dot` on PATH, a clear error and no file.
  const Run svg = cli(dir, "plot " + quoted(dir / "two.keras") + " -o " + quoted(dir / "two.svg"),
                      "PATH=" + quoted(dir.path.string()));
  CHECK(svg.status == 1);
  CHECK(svg.err.find("needs Graphviz's `dot` program") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "two.svg"));
}

TEST_CASE("keras-cli exits 2 on usage errors, 1 on missing or bad files, 0 for --help") {
  TempDir dir;
  const std::string mlp = quoted(keras_fixture("mlp.keras"));
  Run run = cli(dir, "");
  CHECK(run.status == 2);
  CHECK(run.err.find("usage: keras-cli COMMAND") != std::string::npos);
  run = cli(dir, "--help");
  CHECK(run.status == 0);
  CHECK(run.out.find("predict") != std::string::npos);
  for (const char* command : {"show", "predict", "convert", "plot"}) {
    INFO(command);
    run = cli(dir, std::string(command) + " --help");
    CHECK(run.status == 0);
    CHECK(run.out.rfind(std::string("usage: keras-cli ") + command, 0) == 0);
  }
  for (const std::string& args : std::vector<std::string>{
           "frobnicate", "show", "show " + mlp + " extra", "show " + mlp + " --bogus",
        "predict " + mlp + " --output y.npy", "predict " + mlp + " --input x.npy", "predict " + mlp + " --input x.npy --output y.txt",
        "predict " + mlp + " --input x.npy --output y.npy --batch-size 0", "predict " + mlp + " --input x.npy --output y.npy --batch-size",
        "convert " + mlp, "convert " + mlp + " out.txt", "convert " + mlp + " out.weights.h5", "plot " + mlp,
        "plot " + mlp + " -o g.dot --rankdir up", "show model.pt"}) {
    INFO(args);
    run = cli(dir, args);
    CHECK(run.status == 2);
    CHECK(run.err.find("error:") != std::string::npos);
  }
  const std::string missing = dir / "missing.keras";
  for (const std::string& args : std::vector<std::string>{"show " + quoted(missing), "predict " + quoted(missing) + " --input x.npy --output y.npy",
                                  "convert " + quoted(missing) + " " + quoted(dir / "out.h5")}) {
    INFO(args);
    run = cli(dir, args);
    CHECK(run.status == 1);
    CHECK(run.err.find(missing) != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "out.h5"));
  // A .json whose weights file is missing cannot predict (its weights would be initial ones).
  keras::testing::write_bytes(dir / "m.json", keras::testing::to_bytes(two_way_model()->to_json()));
  run = cli(dir, "predict " + quoted(dir / "m.json") + " --input x.npy --output y.npz");
  CHECK(run.status == 1);
  CHECK(run.err.find("m.weights.h5' does not exist") != std::string::npos);
  // A corrupted file is a runtime error, not a crash.
  keras::testing::write_bytes(dir / "bad.keras", keras::testing::to_bytes("PK\x03\x04 not really a zip"));
  run = cli(dir, "show " + quoted(dir / "bad.keras"));
  CHECK(run.status == 1);
  CHECK(run.err.find("bad.keras") != std::string::npos);
}

}  // TEST_SUITE

#endif  // KERAS_CLI_PATH
