#pragma once
#include <keras/core/tensor.h>
