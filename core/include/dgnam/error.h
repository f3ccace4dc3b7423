#pragma once
// The one exception type the core throws at the boundaries where user input enters
// (files, names, numbers). Its message names the offending file or value and what to do.
#include <stdexcept>
#include <string>

namespace dgnam {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace dgnam
