#pragma once
/// tandem: the same compute workloads on CPU cores or GPUs, with the backend chosen at run time.
/// This umbrella header includes the whole public API.
#include "tandem/allocator.hpp"
#include "tandem/backend.hpp"
#include "tandem/device.hpp"
#include "tandem/dtype.hpp"
#include "tandem/error.hpp"
#include "tandem/map.hpp"
#include "tandem/matmul.hpp"
#include "tandem/mse.hpp"
#include "tandem/options.hpp"
#include "tandem/plan.hpp"
#include "tandem/polynomial_grid.hpp"
#include "tandem/reduce.hpp"
#include "tandem/version.hpp"
#include "tandem/views.hpp"
#include "tandem/workload.hpp"
