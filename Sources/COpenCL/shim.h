// OpenCL 3.0 headers, with the 1.2 entry points (clCreateCommandQueue) still declared:
// PoCL and NVIDIA's driver both export them and older drivers lack the 2.0 replacements.
#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
