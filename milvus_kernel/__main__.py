"""Start the kernel: `python -m milvus_kernel -f CONNECTION_FILE`, the command in kernel.json."""

from ipykernel.kernelapp import IPKernelApp

from milvus_kernel.frontends.kernel import MilvusKernel

IPKernelApp.launch_instance(kernel_class=MilvusKernel)
