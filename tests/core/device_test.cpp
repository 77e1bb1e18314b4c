#include <keras/keras.h>

#include <keras/kernels/device_memory.h>

#include <doctest/doctest.h>

#include <thread>

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

TEST_CASE("check_device_available accepts the CPU and explains a missing CUDA backend or GPU") {
  CHECK_NOTHROW(check_device_available(Device("cpu")));
  const int count = kernels::cuda_device_count();
  CHECK(count >= 0);
  if (!kernels::cuda_backend_built()) {
    CHECK(count == 0);
    CHECK_THROWS_WITH_AS(check_device_available(Device("cuda:0")), doctest::Contains("no CUDA backend"), RuntimeError);
  } else if (count == 0) {
    CHECK_THROWS_WITH_AS(check_device_available(Device("cuda:0")),
                         doctest::Contains("Device 'cuda:0' is not available: this machine has no CUDA GPU"), RuntimeError);
  } else {
    CHECK_NOTHROW(check_device_available(Device("cuda:0")));
  }
  if (kernels::cuda_backend_built() && count > 0) {
    CHECK_THROWS_WITH_AS(check_device_available(Device::cuda(count)), doctest::Contains("CUDA device(s), cuda:0 to cuda:"),
                         RuntimeError);
  }
}

TEST_CASE("asking for a missing CUDA device raises a RuntimeError from every entry point") {
  const Device missing = Device::cuda(kernels::cuda_device_count());  // one past the last device
  const Tensor x({1.f, 2.f});
  CHECK_THROWS_WITH_AS(x.to(missing), doctest::Contains("is not available"), RuntimeError);
  CHECK_THROWS_WITH_AS(Tensor::empty({2}, DType::float32, missing), doctest::Contains("is not available"), RuntimeError);
  CHECK_THROWS_WITH_AS(ops::zeros({2}, DType::float32, missing), doctest::Contains("is not available"), RuntimeError);
  CHECK_THROWS_WITH_AS(DeviceScope{missing}, doctest::Contains("is not available"), RuntimeError);
  Variable v(x);
  CHECK_THROWS_AS(v.assign(v.value().to(missing)), RuntimeError);
  CHECK(v.value().device().is_cpu());
  Sequential model({Input({2}), layers::Dense(1)});
  CHECK_THROWS_WITH_AS(model.to(missing), doctest::Contains("is not available"), RuntimeError);
  CHECK(model.device().is_cpu());
}

TEST_CASE("a Variable keeps its device on assign, except to a value on the DeviceScope's device") {
  Variable v(Tensor({1.f, 2.f}));
  v.assign(Tensor({3.0, 4.0}));  // converted to float32, kept on the cpu
  CHECK(v.value().device().is_cpu());
  CHECK(v.dtype() == DType::float32);
  {
    const DeviceScope cpu(Device::cpu());
    v.assign(Tensor({5.f, 6.f}));
    CHECK(v.value().device().is_cpu());
  }
  CHECK(v.value().to_vector<float>() == std::vector<float>{5.f, 6.f});
}

TEST_CASE("the default device is the cpu outside any DeviceScope, and a failed scope changes nothing") {
  CHECK(default_device().is_cpu());
  CHECK(ops::zeros({2}).device().is_cpu());
  CHECK_THROWS_AS(DeviceScope{Device::cuda(kernels::cuda_device_count())}, RuntimeError);
  CHECK(default_device().is_cpu());
}

TEST_CASE("DeviceScope nests, restores the enclosing device and is per thread") {
  {
    const DeviceScope outer(Device::cpu());
    CHECK(default_device().is_cpu());
    {
      const DeviceScope inner(Device("cpu:0"));
      CHECK(default_device() == Device::cpu());
    }
    std::thread([] { CHECK(default_device().is_cpu()); }).join();
  }
  CHECK(default_device().is_cpu());
  // With a GPU, the scope's device reaches creation ops and new layer weights.
  if (kernels::cuda_device_count() > 0) {
    const DeviceScope gpu(Device("cuda:0"));
    CHECK(default_device() == Device("cuda:0"));
    std::thread([] { CHECK(default_device().is_cpu()); }).join();
  }
}

TEST_CASE("a model without weights reports the default device; with weights, theirs") {
  Sequential model({Input({2}), layers::Dense(1)});
  CHECK(model.device().is_cpu());
  for (const Variable& w : model.weights()) CHECK(w.value().device().is_cpu());
  CHECK(&model.to(Device::cpu()) == &model);
  Sequential unbuilt({layers::Dense(1)});
  CHECK_THROWS_WITH_AS(unbuilt.to(Device::cpu()), doctest::Contains("has no weights to move yet"), ValueError);
}

}  // TEST_SUITE
