#include <keras/keras.h>

#include <doctest/doctest.h>

using namespace keras;

TEST_SUITE("training") {

TEST_CASE("LambdaCallback calls each hook it was given, in fit's order, with fit's logs") {
  Tensor x = random::uniform({8, 1}, {.seed = 1});
  Sequential model({Input({1}), layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto events = std::make_shared<std::vector<std::string>>();
  auto add = [events](std::string e) { events->push_back(std::move(e)); };
  callbacks::LambdaCallback cb({
      .on_epoch_begin = [add](int epoch, Logs&) { add("epoch_begin " + std::to_string(epoch)); },
      .on_epoch_end = [add](int epoch, Logs& logs) {
        add("epoch_end " + std::to_string(epoch) + (logs.count("val_loss") ? " val_loss" : ""));
      },
      .on_train_begin = [add](Logs&) { add("train_begin"); },
      .on_train_end = [add](Logs& logs) { add(std::string("train_end") + (logs.count("loss") ? " loss" : "")); },
      .on_train_batch_begin = [add](int64_t batch, Logs&) { add("batch_begin " + std::to_string(batch)); },
      .on_train_batch_end = [add](int64_t batch, Logs& logs) {
        add("batch_end " + std::to_string(batch) + (logs.count("loss") ? " loss" : ""));
      },
      .on_test_begin = [add](Logs&) { add("test_begin"); },
      .on_test_end = [add](Logs&) { add("test_end"); },
      .on_test_batch_begin = [add](int64_t batch, Logs&) { add("test_batch_begin " + std::to_string(batch)); },
      .on_test_batch_end = [add](int64_t batch, Logs&) { add("test_batch_end " + std::to_string(batch)); },
      .on_predict_begin = [add](Logs&) { add("predict_begin"); },
      .on_predict_end = [add](Logs&) { add("predict_end"); },
      .on_predict_batch_begin = [add](int64_t batch, Logs&) { add("predict_batch_begin " + std::to_string(batch)); },
      .on_predict_batch_end = [add](int64_t batch, Logs&) { add("predict_batch_end " + std::to_string(batch)); },
  });
  model.fit(x, x, {.batch_size = 4, .epochs = 2, .verbose = 0, .callbacks = {cb}, .validation_data = {x, x}});
  const std::vector<std::string> epoch_events = {"batch_begin 0", "batch_end 0 loss", "batch_begin 1",
                                                 "batch_end 1 loss", "test_begin",  "test_batch_begin 0",
                                                 "test_batch_end 0", "test_batch_begin 1", "test_batch_end 1",
                                                 "test_end"};
  std::vector<std::string> expected = {"train_begin", "epoch_begin 0"};
  expected.insert(expected.end(), epoch_events.begin(), epoch_events.end());
  expected.insert(expected.end(), {"epoch_end 0 val_loss", "epoch_begin 1"});
  expected.insert(expected.end(), epoch_events.begin(), epoch_events.end());
  expected.insert(expected.end(), {"epoch_end 1 val_loss", "train_end loss"});
  CHECK(*events == expected);

  events->clear();
  model.predict(x, {.batch_size = 8, .callbacks = {cb}});
  CHECK(*events == std::vector<std::string>{"predict_begin", "predict_batch_begin 0", "predict_batch_end 0",
                                            "predict_end"});
}

TEST_CASE("LambdaCallback skips hooks it was not given") {
  Tensor x = random::uniform({4, 1}, {.seed = 1});
  Sequential model({Input({1}), layers::Dense(1)});
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto ends = std::make_shared<int>(0);
  callbacks::LambdaCallback cb({.on_epoch_end = [ends](int, const Logs&) { ++*ends; }});
  model.fit(x, x, {.batch_size = 2, .epochs = 3, .verbose = 0, .callbacks = {cb}});
  CHECK(*ends == 3);
}

}  // TEST_SUITE
