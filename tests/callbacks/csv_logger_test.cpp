#include <keras/callbacks/monitor.h>
#include <keras/keras.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace keras;

namespace {

std::pair<Tensor, Tensor> csv_data(int64_t n) {
  Tensor x = random::uniform({n, 1}, {.minval = -1.0, .maxval = 1.0, .seed = 3});
  return {x, x * 2.f - 1.f};
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("keras_csv_" + std::to_string(getpid()) + "_" + name)).string();
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The file's lines, split at Python csv's "\r\n".
std::vector<std::string> lines(const std::string& path) {
  const std::string text = read(path);
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2) {
    out.push_back(text.substr(start, end - start));
  }
  CHECK(start == text.size());  // every row is terminated
  return out;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string field; std::getline(ss, field, sep);) out.push_back(field);
  return out;
}

History fit(const std::vector<CallbackArg>& cbs, int epochs, bool validation = true) {
  auto [x, y] = csv_data(16);
  Sequential model({Input({1}), layers::Dense(1, {.kernel_initializer = "zeros"})});
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse", .metrics = {"mae"}});
  FitOptions options{.batch_size = 8, .epochs = epochs, .verbose = 0, .callbacks = cbs};
  if (validation) options.validation_data = {x, y * 0.5f};
  return model.fit(x, y, options);
}

}  // namespace

TEST_SUITE("training") {

TEST_CASE("CSVLogger writes a header of sorted keys and one row per epoch with Python's float text") {
  const std::string path = temp_path("log.csv");
  History h = fit({callbacks::CSVLogger(path)}, 3);
  const auto rows = lines(path);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == "epoch,loss,mae,val_loss,val_mae");
  const std::vector<std::string> keys = {"loss", "mae", "val_loss", "val_mae"};
  for (size_t e = 0; e < 3; ++e) {
    const auto fields = split(rows[e + 1], ',');
    REQUIRE(fields.size() == 5);
    CHECK(fields[0] == std::to_string(e));
    for (size_t k = 0; k < keys.size(); ++k) {
      // The shortest text that reads back as the same double, as Python's repr.
      CHECK(std::stod(fields[k + 1]) == h[keys[k]][e]);
      CHECK(fields[k + 1] == callbacks::detail::float_repr(h[keys[k]][e]));
    }
  }
  std::filesystem::remove(path);
}

TEST_CASE("CSVLogger overwrites by default and appends without a second header when asked") {
  const std::string path = temp_path("append.csv");
  fit({callbacks::CSVLogger(path)}, 2, false);
  fit({callbacks::CSVLogger(path, {.append = true})}, 3, false);
  auto rows = lines(path);
  REQUIRE(rows.size() == 6);
  CHECK(rows[0] == "epoch,loss,mae");
  std::string epochs;
  for (size_t i = 1; i < rows.size(); ++i) epochs += rows[i].substr(0, rows[i].find(','));
  CHECK(epochs == "01012");
  fit({callbacks::CSVLogger(path)}, 1, false);
  CHECK(lines(path).size() == 2);
  std::filesystem::remove(path);
  fit({callbacks::CSVLogger(path, {.append = true})}, 1, false);  // appending to no file starts one
  CHECK(lines(path).front() == "epoch,loss,mae");
  std::filesystem::remove(path);
}

TEST_CASE("CSVLogger uses the separator, writes NA for a key missing later, and flushes each epoch") {
  const std::string path = temp_path("sep.csv");
  callbacks::LambdaCallback first_only({.on_epoch_end = [](int epoch, Logs& logs) {
    if (epoch == 0) logs["extra"] = 0.5;
  }});
  auto rows_seen = std::make_shared<std::vector<size_t>>();
  callbacks::LambdaCallback reader({.on_epoch_end = [&path, rows_seen](int, Logs&) {
    rows_seen->push_back(lines(path).size());
  }});
  fit({first_only, callbacks::CSVLogger(path, {.separator = ";"}), reader}, 2, false);
  const auto rows = lines(path);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == "epoch;extra;loss;mae");
  CHECK(rows[1].rfind("0;0.5;", 0) == 0);
  CHECK(rows[2].rfind("1;NA;", 0) == 0);
  CHECK(*rows_seen == std::vector<size_t>{2, 3});
  std::filesystem::remove(path);
  CHECK_THROWS_WITH_AS(callbacks::CSVLogger(path, {.separator = ", "}), doctest::Contains("1-character"), ValueError);
}

}  // TEST_SUITE
