#pragma once
/// keras.losses: the Loss base, LossArg, and every built-in loss as a function and a class.
#include <keras/losses/hinge.h>
#include <keras/losses/loss.h>
#include <keras/losses/probabilistic.h>
#include <keras/losses/regression.h>
