#include "caffe_files.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/text_format.h>

#include <fcntl.h>
#include <unistd.h>
#include <climits>

#include "dgnam/error.h"

namespace dgnam::caffe_files {
namespace fs = std::filesystem;
namespace pb = google::protobuf;
namespace {

// An open file descriptor, closed on every path out.
class FileDescriptor {
  public:
    explicit FileDescriptor(const fs::path& path) : fd_(::open(path.c_str(), O_RDONLY)) {
        if (fd_ < 0)
            throw Error(path.string() + ": cannot open the file");
    }
    ~FileDescriptor() { ::close(fd_); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

std::uintmax_t checked_size(const fs::path& path, std::uintmax_t limit, const char* what) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(path.string() + ": not a file; expected " + what);
    const auto size = fs::file_size(path, ec);
    if (ec)
        throw Error(path.string() + ": cannot read its size (" + ec.message() + ")");
    if (size > limit)
        throw Error(path.string() + ": " + std::to_string(size) + " bytes is more than " + what +
                    " can hold (" + std::to_string(limit) + ")");
    return size;
}

class CollectingErrors final : public pb::io::ErrorCollector {
  public:
    void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
        if (first_error.empty())
            first_error = "line " + std::to_string(line + 1) + ", column " +
                          std::to_string(column + 1) + ": " + message;
    }
    void AddWarning(int line, pb::io::ColumnNumber, const std::string& message) override {
        warnings.push_back("line " + std::to_string(line + 1) + ": " + message);
    }
    std::string first_error;
    std::vector<std::string> warnings;
};

const char* v1_type_name(dgnam_caffe::V1LayerParameter::LayerType type) {
    using V1 = dgnam_caffe::V1LayerParameter;
    switch (type) {
        case V1::CONCAT:
            return "Concat";
        case V1::CONVOLUTION:
            return "Convolution";
        case V1::DECONVOLUTION:
            return "Deconvolution";
        case V1::DROPOUT:
            return "Dropout";
        case V1::ELTWISE:
            return "Eltwise";
        case V1::FLATTEN:
            return "Flatten";
        case V1::INNER_PRODUCT:
            return "InnerProduct";
        case V1::LRN:
            return "LRN";
        case V1::POOLING:
            return "Pooling";
        case V1::POWER:
            return "Power";
        case V1::RELU:
            return "ReLU";
        case V1::SIGMOID:
            return "Sigmoid";
        case V1::SOFTMAX:
            return "Softmax";
        case V1::SPLIT:
            return "Split";
        case V1::SILENCE:
            return "Silence";
        case V1::TANH:
            return "TanH";
        // Types the network runner rejects with its own message, named as Caffe names them.
        case V1::ABSVAL:
            return "AbsVal";
        case V1::ACCURACY:
            return "Accuracy";
        case V1::ARGMAX:
            return "ArgMax";
        case V1::BNLL:
            return "BNLL";
        case V1::CONTRASTIVE_LOSS:
            return "ContrastiveLoss";
        case V1::DATA:
            return "Data";
        case V1::DUMMY_DATA:
            return "DummyData";
        case V1::EUCLIDEAN_LOSS:
            return "EuclideanLoss";
        case V1::EXP:
            return "Exp";
        case V1::HDF5_DATA:
            return "HDF5Data";
        case V1::HDF5_OUTPUT:
            return "HDF5Output";
        case V1::HINGE_LOSS:
            return "HingeLoss";
        case V1::IM2COL:
            return "Im2col";
        case V1::IMAGE_DATA:
            return "ImageData";
        case V1::INFOGAIN_LOSS:
            return "InfogainLoss";
        case V1::MEMORY_DATA:
            return "MemoryData";
        case V1::MULTINOMIAL_LOGISTIC_LOSS:
            return "MultinomialLogisticLoss";
        case V1::MVN:
            return "MVN";
        case V1::SIGMOID_CROSS_ENTROPY_LOSS:
            return "SigmoidCrossEntropyLoss";
        case V1::SOFTMAX_LOSS:
            return "SoftmaxWithLoss";
        case V1::SLICE:
            return "Slice";
        case V1::WINDOW_DATA:
            return "WindowData";
        case V1::THRESHOLD:
            return "Threshold";
        case V1::NONE:
            break;
    }
    return nullptr;
}

dgnam_caffe::LayerParameter from_v1(const dgnam_caffe::V1LayerParameter& v1,
                                    const std::string& where) {
    dgnam_caffe::LayerParameter layer;
    const char* type = v1_type_name(v1.type());
    if (!type)
        throw Error(where + ": legacy layer \"" + v1.name() + "\" has no type");
    layer.set_name(v1.name());
    layer.set_type(type);
    *layer.mutable_bottom() = v1.bottom();
    *layer.mutable_top() = v1.top();
    *layer.mutable_include() = v1.include();
    *layer.mutable_exclude() = v1.exclude();
    *layer.mutable_blobs() = v1.blobs();
    if (v1.has_concat_param())
        *layer.mutable_concat_param() = v1.concat_param();
    if (v1.has_convolution_param())
        *layer.mutable_convolution_param() = v1.convolution_param();
    if (v1.has_dropout_param())
        *layer.mutable_dropout_param() = v1.dropout_param();
    if (v1.has_eltwise_param())
        *layer.mutable_eltwise_param() = v1.eltwise_param();
    if (v1.has_inner_product_param())
        *layer.mutable_inner_product_param() = v1.inner_product_param();
    if (v1.has_lrn_param())
        *layer.mutable_lrn_param() = v1.lrn_param();
    if (v1.has_pooling_param())
        *layer.mutable_pooling_param() = v1.pooling_param();
    if (v1.has_power_param())
        *layer.mutable_power_param() = v1.power_param();
    if (v1.has_relu_param())
        *layer.mutable_relu_param() = v1.relu_param();
    if (v1.has_softmax_param())
        *layer.mutable_softmax_param() = v1.softmax_param();
    return layer;
}

// Caffe's NetStateRule against the state a deploy net runs in: phase TEST, level 0, no stages.
bool rule_met(const dgnam_caffe::NetStateRule& rule) {
    if (rule.has_phase() && rule.phase() != dgnam_caffe::TEST)
        return false;
    if (rule.has_min_level() && 0 < rule.min_level())
        return false;
    if (rule.has_max_level() && 0 > rule.max_level())
        return false;
    return rule.stage_size() == 0;  // the state has no stages, so any required stage is missing
}

bool in_test_phase(const dgnam_caffe::LayerParameter& layer) {
    if (layer.has_phase() && layer.phase() != dgnam_caffe::TEST)
        return false;
    if (layer.include_size() > 0) {
        for (const auto& rule : layer.include())
            if (rule_met(rule))
                return true;
        return false;
    }
    for (const auto& rule : layer.exclude())
        if (rule_met(rule))
            return false;
    return true;
}

}  // namespace

dgnam_caffe::NetParameter read_prototxt(const fs::path& path, std::vector<std::string>& warnings) {
    // Deploy files are a few kilobytes; anything far larger is not one.
    checked_size(path, 64u << 20, "a network description (.prototxt)");
    FileDescriptor fd(path);
    pb::io::FileInputStream stream(fd.get());
    CollectingErrors errors;
    pb::TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    // Training-only settings (data sources, solvers, engines of other forks) do not change what a
    // deploy network computes; they are reported, not fatal.
    parser.AllowUnknownField(true);
    dgnam_caffe::NetParameter net;
    if (!parser.Parse(&stream, &net))
        throw Error(path.string() + ": not a Caffe network description (" +
                    (errors.first_error.empty() ? std::string("unreadable") : errors.first_error) +
                    ")");
    for (const auto& w : errors.warnings)
        warnings.push_back(path.filename().string() + " " + w);
    return net;
}

dgnam_caffe::NetParameter read_caffemodel(const fs::path& path) {
    // A protobuf message cannot exceed 2 GiB.
    checked_size(path, static_cast<std::uintmax_t>(INT_MAX), "a Caffe weights file (.caffemodel)");
    FileDescriptor fd(path);
    pb::io::FileInputStream raw(fd.get());
    pb::io::CodedInputStream coded(&raw);
    coded.SetTotalBytesLimit(INT_MAX);
    dgnam_caffe::NetParameter net;
    if (!net.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
        throw Error(path.string() +
                    ": not a Caffe weights file (the binary NetParameter does not parse; is it "
                    "truncated, or a .prototxt?)");
    return net;
}

std::vector<dgnam_caffe::LayerParameter> current_layers(const dgnam_caffe::NetParameter& net,
                                                        bool test_phase_only,
                                                        const std::string& where) {
    if (net.layer_size() > 0 && net.layers_size() > 0)
        throw Error(where +
                    ": uses both the current \"layer\" and the legacy \"layers\" "
                    "encodings; a network must use one");
    std::vector<dgnam_caffe::LayerParameter> out;
    for (const auto& layer : net.layer())
        if (!test_phase_only || in_test_phase(layer))
            out.push_back(layer);
    for (const auto& v1 : net.layers()) {
        auto layer = from_v1(v1, where);
        if (!test_phase_only || in_test_phase(layer))
            out.push_back(std::move(layer));
    }
    return out;
}

}  // namespace dgnam::caffe_files
