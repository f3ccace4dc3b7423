#!/usr/bin/env bash
# Installs the Debian packages DGN-AM Studio needs to build, test and run; skips those present.
# Idempotent; run as root (or through sudo). Nothing is downloaded but Debian packages.
set -euo pipefail

packages=(
  # toolchain; clang and its runtime libraries build the libFuzzer targets (the fuzz preset)
  g++ cmake make pkg-config clang-format clang libclang-rt-dev
  # core
  libtorch-dev nlohmann-json3-dev libstb-dev zlib1g-dev
  # Caffe model files (.prototxt, .caffemodel); protoc also encodes the test fixtures
  libprotobuf-dev protobuf-compiler
  # an optimised BLAS behind libblas.so.3: Debian's LibTorch calls it for every matrix product
  libopenblas0-pthread
  # oneDNN's sgemm for the fully connected layers of frozen networks (3-8x OpenBLAS's on one
  # thread here); the same libdnnl.so.2 Debian's LibTorch already links for its convolutions
  libdnnl-dev
  # command line
  libcli11-dev
  # the Qt 6 studio; the platform plugins (xcb, offscreen) live in qt6-qpa-plugins
  qt6-base-dev libqt6opengl6-dev qt6-qpa-plugins libgl-dev fonts-dejavu-core
  # the GLFW + Dear ImGui front end
  libglfw3-dev libimgui-dev
  # drawing tests and screenshots without a display: Xvfb with Mesa's software OpenGL
  xvfb xauth libgl1-mesa-dri libglx-mesa0 imagemagick
  # the dgnam-live close test sends the window manager's close request through Xlib
  libx11-dev
  # tests and benchmarks; PyTorch from Debian exports the TorchScript test models
  # (packaging/export_torchvision.py) and nothing else
  libgtest-dev libbenchmark-dev python3-torch python3-torchvision
  # data for the bundled pack's training
  dataset-fashion-mnist
  # a single-node Slurm that the gallery-shard test submits a job array to
  slurm-wlm
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
