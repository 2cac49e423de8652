# Sourced by the benchmark scripts that run PyTorch: Debian's python3-torch (1.13) on OpenBLAS's OpenMP build
# (DESIGN section 7), unpacked into datasets/.cache and put in front of the system's BLAS with LD_LIBRARY_PATH, so
# that the system is not changed. Debian's reference BLAS multiplies at about 4 GFLOP/s here, and the pthread
# build's threads compete with PyTorch's own OpenMP threads on 2 cores.
#   pytorch ARGS...   runs /usr/bin/python3 with that BLAS and $threads threads
#   gemm              prints the GFLOP/s of a 1024^3 product under it (printed with every comparison)
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "bench: installing python3-torch"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch > /dev/null
fi
openblas="$root/datasets/.cache/openblas-openmp"
if [[ ! -e "$openblas/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3" ]]; then
  echo "bench: unpacking libopenblas0-openmp into $openblas (the system's BLAS is left as it is)"
  scratch="$(mktemp -d)"
  (cd "$scratch" && apt-get download -qq libopenblas0-openmp 2>/dev/null)
  mkdir -p "$openblas"
  dpkg-deb -x "$scratch"/libopenblas0-openmp_*.deb "$openblas"
  rm -rf "$scratch"
fi
pytorch() {
  LD_LIBRARY_PATH="$openblas/usr/lib/x86_64-linux-gnu/openblas-openmp" OPENBLAS_CORETYPE=SkylakeX OMP_NUM_THREADS="$threads" /usr/bin/python3 "$@"
}
gemm() {
  pytorch - "$threads" <<'PY'
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
for _ in range(3):
    a @ b
start = time.perf_counter()
for _ in range(20):
    a @ b
print(f"{2 * 1024 ** 3 * 20 / (time.perf_counter() - start) / 1e9:.0f}")
PY
}
