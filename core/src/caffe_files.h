#pragma once
// Reading Caffe's files with libprotobuf: a deploy .prototxt (text format) and a .caffemodel
// (binary), both as dgnam_caffe::NetParameter (core/proto/caffe.proto). Private to the core.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "caffe.pb.h"

namespace dgnam::caffe_files {

// Fields the project's schema does not declare are skipped and listed in `warnings` with their
// line. Throws dgnam::Error naming the file, line and column of a syntax error.
dgnam_caffe::NetParameter read_prototxt(const std::filesystem::path& path,
                                        std::vector<std::string>& warnings);

// Throws dgnam::Error naming the file when it cannot be read or is not a NetParameter.
dgnam_caffe::NetParameter read_caffemodel(const std::filesystem::path& path);

// Every layer in the current encoding: legacy V1 layers converted (their parameter messages are
// shared), and, when `test_phase_only`, layers that Caffe leaves out of the TEST phase dropped.
// Throws dgnam::Error naming `where` for a V1 layer type without a current name.
std::vector<dgnam_caffe::LayerParameter> current_layers(const dgnam_caffe::NetParameter& net,
                                                        bool test_phase_only,
                                                        const std::string& where);

}  // namespace dgnam::caffe_files
