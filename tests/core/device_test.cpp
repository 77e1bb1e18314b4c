#include <keras/keras.h>

#include <doctest/doctest.h>

using namespace keras;

TEST_SUITE("core") {

TEST_CASE("Device parses cpu, cuda and gpu spellings") {
  CHECK(Device().is_cpu());
  CHECK(Device("cpu").is_cpu());
  CHECK(Device("CPU").is_cpu());
  CHECK(Device("cpu:0").is_cpu());
  CHECK(Device("cuda") == Device::cuda(0));
  CHECK(Device("cuda:1") == Device::cuda(1));
  CHECK(Device("gpu:0") == Device::cuda(0));
  CHECK(Device("GPU:2").index == 2);
  CHECK(Device::cpu() == Device("cpu"));
  CHECK(Device("cuda:0") != Device("cuda:1"));
  CHECK(Device("cuda:0") != Device("cpu"));
}

TEST_CASE("Device prints as tf.device and torch.device spell it") {
  CHECK(Device("cpu").str() == "cpu");
  CHECK(Device("gpu").str() == "cuda:0");
  CHECK(Device::cuda(3).str() == "cuda:3");
}

TEST_CASE("Device rejects unknown names and malformed indices") {
  CHECK_THROWS_WITH_AS(Device("tpu"), doctest::Contains("Invalid device 'tpu'"), ValueError);
  for (const char* spec : {"cuda:", "cuda:x", "cuda:-1", "cuda0", "cuda:1x", "cpu:1", ""}) {
    CAPTURE(spec);
    CHECK_THROWS_AS(Device{spec}, ValueError);
  }
}

TEST_CASE("check_device_available accepts the CPU and explains a missing CUDA backend") {
  CHECK_NOTHROW(check_device_available(Device("cpu")));
  CHECK_THROWS_WITH_AS(check_device_available(Device("cuda:0")), doctest::Contains("no CUDA backend"), RuntimeError);
}

}  // TEST_SUITE
