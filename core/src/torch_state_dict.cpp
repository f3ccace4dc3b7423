#include "dgnam/torch_state_dict.h"

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <map>
#include <memory>

#include "dgnam/error.h"

namespace dgnam {
namespace fs = std::filesystem;
namespace {

// The values a state dict's pickle builds. Anything else is refused: no Python object is made
// and no code runs, whatever the file says.
struct Value {
    enum class Kind { None, Int, Bool, Text, Tuple, Dict, Tensor, Global, Storage, Mark };
    Kind kind = Kind::None;
    std::int64_t number = 0;
    std::string text;  // Text; Global: "module name"; Storage: the record key
    std::vector<std::shared_ptr<Value>> items;                            // Tuple
    std::vector<std::pair<std::string, std::shared_ptr<Value>>> entries;  // Dict (ordered)
    at::Tensor tensor;
    at::ScalarType dtype = at::kFloat;  // Storage
};
using Ref = std::shared_ptr<Value>;

Ref make(Value::Kind kind) {
    auto v = std::make_shared<Value>();
    v->kind = kind;
    return v;
}

class Unpickler {
  public:
    Unpickler(const std::string& data, caffe2::serialize::PyTorchStreamReader& archive,
              std::string where)
        : data_(data), archive_(archive), where_(std::move(where)) {}

    Ref run() {
        while (true) {
            const auto op = byte();
            switch (op) {
                case 0x80:
                    byte();
                    break;  // PROTO
                case 0x95:
                    fixed(8);
                    break;  // FRAME
                case '(':
                    push(make(Value::Kind::Mark));
                    break;
                case '.':
                    return pop();  // STOP
                case 'N':
                    push(make(Value::Kind::None));
                    break;
                case 0x88:
                    push(boolean(true));
                    break;  // NEWTRUE
                case 0x89:
                    push(boolean(false));
                    break;  // NEWFALSE
                case 'K':
                    push(integer(fixed(1)));
                    break;  // BININT1
                case 'M':
                    push(integer(fixed(2)));
                    break;  // BININT2
                case 'J':
                    push(integer(static_cast<std::int32_t>(fixed(4))));
                    break;
                case 0x8a:
                    push(integer(long1()));
                    break;  // LONG1
                case 'X':
                    push(text(fixed(4)));
                    break;  // BINUNICODE
                case 0x8c:
                    push(text(fixed(1)));
                    break;  // SHORT_BINUNICODE
                case 'c':
                    push(global());
                    break;  // GLOBAL
                case 0x93:
                    stack_global();
                    break;  // STACK_GLOBAL
                case 'q':
                    memo_[fixed(1)] = top();
                    break;  // BINPUT
                case 'r':
                    memo_[fixed(4)] = top();
                    break;  // LONG_BINPUT
                case 0x94:
                    memo_[memo_.size()] = top();
                    break;  // MEMOIZE
                case 'h':
                    push(memo(fixed(1)));
                    break;  // BINGET
                case 'j':
                    push(memo(fixed(4)));
                    break;  // LONG_BINGET
                case ')':
                    push(make(Value::Kind::Tuple));
                    break;
                case 0x85:
                    tuple(1);
                    break;
                case 0x86:
                    tuple(2);
                    break;
                case 0x87:
                    tuple(3);
                    break;
                case 't':
                    tuple_to_mark();
                    break;
                case '}':
                    push(make(Value::Kind::Dict));
                    break;
                case 's':
                    setitems(2);
                    break;
                case 'u':
                    setitems_to_mark();
                    break;
                case 'Q':
                    persistent_id();
                    break;  // BINPERSID
                case 'R':
                    reduce();
                    break;
                case 'b':
                    pop();
                    break;  // BUILD: the state (a module's _metadata) is not needed
                default:
                    fail("uses pickle opcode 0x" + hex(op) +
                         ", which a state dict of tensors does not need");
            }
        }
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(where_ + ": " + what + " (at byte " + std::to_string(pos_) + " of data.pkl)");
    }
    static std::string hex(unsigned v) {
        const char* digits = "0123456789abcdef";
        return {digits[(v >> 4) & 15], digits[v & 15]};
    }
    unsigned byte() {
        if (pos_ >= data_.size())
            fail("ends early");
        return static_cast<unsigned char>(data_[pos_++]);
    }
    std::uint64_t fixed(int bytes) {
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i)
            v |= static_cast<std::uint64_t>(byte()) << (8 * i);
        return v;
    }
    std::int64_t long1() {
        const auto n = byte();
        if (n > 8)
            fail("holds an integer of " + std::to_string(n) + " bytes");
        std::uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(byte()) << (8 * i);
        if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1)
            v |= ~std::uint64_t{0} << (8 * n);  // sign extension
        return static_cast<std::int64_t>(v);
    }
    Ref boolean(bool b) {
        auto v = make(Value::Kind::Bool);
        v->number = b;
        return v;
    }
    Ref integer(std::int64_t n) {
        auto v = make(Value::Kind::Int);
        v->number = n;
        return v;
    }
    Ref text(std::uint64_t length) {
        if (length > data_.size() - pos_)
            fail("holds a string longer than the file");
        auto v = make(Value::Kind::Text);
        v->text = data_.substr(pos_, length);
        pos_ += length;
        return v;
    }
    std::string line() {
        const auto end = data_.find('\n', pos_);
        if (end == std::string::npos)
            fail("ends inside a name");
        auto s = data_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return s;
    }
    Ref named_global(const std::string& module, const std::string& name) {
        static const std::map<std::string, at::ScalarType> storages = {
            {"FloatStorage", at::kFloat}, {"DoubleStorage", at::kDouble},
            {"HalfStorage", at::kHalf},   {"BFloat16Storage", at::kBFloat16},
            {"LongStorage", at::kLong},   {"IntStorage", at::kInt}};
        const auto full = module + " " + name;
        if (full != "collections OrderedDict" && full != "torch._utils _rebuild_tensor_v2" &&
            !(module == "torch" && storages.count(name)))
            fail("refers to the Python object " + module + "." + name +
                 "; only tensors and dictionaries are read from weight files");
        auto v = make(Value::Kind::Global);
        v->text = full;
        if (module == "torch")
            v->dtype = storages.at(name);
        return v;
    }
    Ref global() {
        const auto module = line();
        return named_global(module, line());
    }
    void stack_global() {
        auto name = pop(), module = pop();
        if (name->kind != Value::Kind::Text || module->kind != Value::Kind::Text)
            fail("names a global with non-strings");
        push(named_global(module->text, name->text));
    }
    void push(Ref v) {
        if (stack_.size() > 100000)
            fail("nests too deeply");
        stack_.push_back(std::move(v));
    }
    Ref pop() {
        if (stack_.empty())
            fail("pops an empty stack");
        auto v = stack_.back();
        stack_.pop_back();
        return v;
    }
    Ref top() {
        if (stack_.empty())
            fail("memoises an empty stack");
        return stack_.back();
    }
    Ref memo(std::uint64_t key) {
        auto it = memo_.find(key);
        if (it == memo_.end())
            fail("refers to memo entry " + std::to_string(key) + ", which is unset");
        return it->second;
    }
    std::vector<Ref> pop_to_mark() {
        std::vector<Ref> items;
        while (true) {
            auto v = pop();
            if (v->kind == Value::Kind::Mark)
                break;
            items.push_back(v);
        }
        return {items.rbegin(), items.rend()};
    }
    void tuple(std::size_t n) {
        auto t = make(Value::Kind::Tuple);
        t->items.resize(n);
        for (std::size_t i = n; i-- > 0;)
            t->items[i] = pop();
        push(t);
    }
    void tuple_to_mark() {
        auto t = make(Value::Kind::Tuple);
        t->items = pop_to_mark();
        push(t);
    }
    void add_entries(const std::vector<Ref>& items) {
        if (items.size() % 2)
            fail("sets a dictionary item without a value");
        auto dict = top();
        if (dict->kind != Value::Kind::Dict)
            fail("sets items on something that is not a dictionary");
        for (std::size_t i = 0; i < items.size(); i += 2) {
            if (items[i]->kind != Value::Kind::Text)
                fail("has a dictionary key that is not a string");
            dict->entries.emplace_back(items[i]->text, items[i + 1]);
        }
    }
    void setitems(std::size_t) {
        auto value = pop(), key = pop();
        add_entries({key, value});
    }
    void setitems_to_mark() { add_entries(pop_to_mark()); }

    // ("storage", torch.FloatStorage, key, location, count) -> the record data/<key>.
    void persistent_id() {
        auto id = pop();
        if (id->kind != Value::Kind::Tuple || id->items.size() != 5 ||
            id->items[0]->kind != Value::Kind::Text || id->items[0]->text != "storage" ||
            id->items[1]->kind != Value::Kind::Global || id->items[2]->kind != Value::Kind::Text ||
            id->items[4]->kind != Value::Kind::Int)
            fail("has a persistent id that is not a tensor storage");
        const auto dtype = id->items[1]->dtype;
        const std::string record = "data/" + id->items[2]->text;
        if (!archive_.hasRecord(record))
            fail("refers to the missing record " + record);
        auto [bytes, size] = archive_.getRecord(record);
        const auto element = static_cast<std::size_t>(c10::elementSize(dtype));
        const auto count = id->items[4]->number;
        if (count < 0 || static_cast<std::size_t>(count) * element != size)
            fail("has a storage of " + std::to_string(count) + " elements in a record of " +
                 std::to_string(size) + " bytes");
        auto storage = at::empty({count}, at::TensorOptions().dtype(dtype));
        if (size > 0)
            std::memcpy(storage.data_ptr(), bytes.get(), size);
        auto v = make(Value::Kind::Storage);
        v->tensor = storage;
        push(v);
    }

    std::vector<std::int64_t> ints(const Ref& t, const char* what) {
        if (t->kind != Value::Kind::Tuple)
            fail(std::string("has a tensor ") + what + " that is not a tuple");
        std::vector<std::int64_t> out;
        for (const auto& i : t->items) {
            if (i->kind != Value::Kind::Int || i->number < 0 || i->number > (1ll << 40))
                fail(std::string("has a tensor ") + what + " entry out of range");
            out.push_back(i->number);
        }
        return out;
    }

    void reduce() {
        auto args = pop(), callable = pop();
        if (callable->kind != Value::Kind::Global || args->kind != Value::Kind::Tuple)
            fail("calls something that is not a known global");
        if (callable->text == "collections OrderedDict") {
            push(make(Value::Kind::Dict));
            return;
        }
        if (callable->text != "torch._utils _rebuild_tensor_v2" || args->items.size() < 4 ||
            args->items[0]->kind != Value::Kind::Storage ||
            args->items[1]->kind != Value::Kind::Int)
            fail("calls " + callable->text + " in a way a state dict does not");
        const auto& storage = args->items[0]->tensor;
        const auto offset = args->items[1]->number;
        const auto size = ints(args->items[2], "size");
        const auto stride = ints(args->items[3], "stride");
        if (size.size() != stride.size())
            fail("has a tensor whose size and stride differ in rank");
        // The furthest element must lie inside the storage.
        std::int64_t last = offset;
        for (std::size_t i = 0; i < size.size(); ++i) {
            if (size[i] == 0) {
                last = -1;
                break;
            }
            last += (size[i] - 1) * stride[i];
        }
        if (offset < 0 || last >= storage.numel())
            fail("has a tensor reaching past its storage");
        auto v = make(Value::Kind::Tensor);
        v->tensor = storage.as_strided(size, stride, offset).clone();
        push(v);
    }

    const std::string& data_;
    caffe2::serialize::PyTorchStreamReader& archive_;
    std::string where_;
    std::size_t pos_ = 0;
    std::vector<Ref> stack_;
    std::map<std::uint64_t, Ref> memo_;
};

}  // namespace

TensorMap read_torch_state_dict(const fs::path& path) {
    const std::string where = path.string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(where + ": no such file");
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> archive;
    std::string pickle;
    try {
        archive = std::make_unique<caffe2::serialize::PyTorchStreamReader>(where);
        auto [bytes, size] = archive->getRecord("data.pkl");
        pickle.assign(static_cast<const char*>(bytes.get()), size);
    } catch (const c10::Error& e) {
        std::string why = e.what_without_backtrace();
        why = why.substr(0, why.find('\n'));
        throw Error(where + ": not a state dict saved by torch.save in its zip format (" + why +
                    "); in Python, torch.save(torch.load(f), f2) rewrites an old-format file");
    }
    const auto root = Unpickler(pickle, *archive, where).run();
    if (root->kind != Value::Kind::Dict)
        throw Error(where + ": holds something other than a state dict (a dictionary of tensors)");
    TensorMap out;
    for (const auto& [name, value] : root->entries) {
        if (value->kind != Value::Kind::Tensor)
            throw Error(where + ": entry \"" + name + "\" is not a tensor");
        out[name] = value->tensor;
    }
    return out;
}

}  // namespace dgnam
