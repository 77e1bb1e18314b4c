#pragma once
/// keras::optimizers: the Optimizer base, every built-in optimizer and the learning rate schedules.
#include <keras/optimizers/adadelta.h>
#include <keras/optimizers/adagrad.h>
#include <keras/optimizers/adam.h>
#include <keras/optimizers/adamax.h>
#include <keras/optimizers/lion.h>
#include <keras/optimizers/loss_scale_optimizer.h>
#include <keras/optimizers/nadam.h>
#include <keras/optimizers/optimizer.h>
#include <keras/optimizers/rmsprop.h>
#include <keras/optimizers/schedules.h>
#include <keras/optimizers/sgd.h>
