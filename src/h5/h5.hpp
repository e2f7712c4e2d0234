#pragma once
// The thin HDF5 layer: move-only RAII handles over the C API, one checked-call helper that turns
// a failing call into ba::Failure(io_failure) carrying HDF5's own message and the object's path,
// and typed property lists for parallel I/O. Nothing else in the job calls HDF5 directly except
// the store, which builds on these pieces.
//
// Parallel rules the callers keep (see docs/architecture "Pitfalls"): every call that changes
// metadata (create file/group/dataset/attribute, write attribute, close file) is collective and
// made with identical arguments on every rank; dataset transfers are collective when the
// transfer list says so, and then every rank takes part, with an empty selection if need be.
#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace ba::h5 {

// Switches off HDF5's automatic printing of its error stack (once per process); failures are
// reported through ba::Failure instead. Every entry point below calls it, so callers need not.
void silence_error_printing();

// Throws ba::Failure(io_failure) naming the call, the object (`where`, e.g. "out.h5:/tables/x")
// and the messages on HDF5's error stack, which it then clears.
[[noreturn]] void fail_call(const char* call, std::string_view where);

// Checked call: a negative return (herr_t, hid_t, htri_t, hssize_t, or an enum whose error value
// is negative such as H5S_NO_CLASS) is a failure.
template <class T>
T check(T rc, const char* call, std::string_view where) {
  if constexpr (std::is_enum_v<T>) {
    if (static_cast<long long>(rc) < 0) fail_call(call, where);
  } else {
    static_assert(std::is_signed_v<T>, "HDF5 signals failure with a negative value");
    if (rc < 0) fail_call(call, where);
  }
  return rc;
}

// A move-only owner of one HDF5 identifier, closed with Close when the owner goes away. One type
// per close function, so a dataset cannot be handed where a file is expected. kCollectiveClose
// marks handles whose close may be collective (files): see the destructor.
template <herr_t (*Close)(hid_t), bool kCollectiveClose = false>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  ~Handle() {
    // Closing a file opened with MPI-IO is collective. While an exception unwinds on one rank
    // the others are elsewhere and the close would hang before main() can abort the job, so a
    // file handle is abandoned (not closed) during unwinding; the job ends anyway, and HDF5
    // closes what is left when the library shuts down.
    if constexpr (kCollectiveClose) {
      if (std::uncaught_exceptions() > 0) {
        id_ = H5I_INVALID_HID;
        return;
      }
    }
    reset();
  }

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }

  // Closes now and checks the result (a file close in parallel is collective and is where
  // buffered metadata reaches the disk, so its failure must not be lost in a destructor).
  void close(std::string_view where) {
    if (!valid()) return;
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    check(Close(id), "close", where);
  }

 private:
  void reset() noexcept {
    if (valid()) Close(std::exchange(id_, H5I_INVALID_HID));  // unwinding: nothing to report to
  }
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose, true>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Datatype = Handle<H5Tclose>;  // only for types this process created or copied
using PropertyList = Handle<H5Pclose>;
using Attribute = Handle<H5Aclose>;

// ---- property lists --------------------------------------------------------------------------
// File access through MPI-IO on `comm` (collective metadata writes switched on).
PropertyList mpio_file_access(MPI_Comm comm);
// File access by this process alone (HDF5's default driver), and a default transfer list: for
// reading a store outside the job's collective calls.
PropertyList serial_file_access();
PropertyList independent_transfer();
// A dataset transfer list requesting collective MPI-IO (H5FD_MPIO_COLLECTIVE).
PropertyList collective_transfer();
// After a transfer with `dxpl`: H5Pget_mpio_no_collective_cause's local | global causes
// (H5D_MPIO_COLLECTIVE == 0 means the transfer really was collective).
std::uint32_t no_collective_cause(const PropertyList& dxpl, std::string_view where);
// Dataset creation for contiguous data that is never pre-filled (every element gets written).
PropertyList contiguous_no_fill_creation();

// ---- files and groups ------------------------------------------------------------------------
File create_file(const std::string& path, const PropertyList& fapl);  // truncates
File open_file_read_only(const std::string& path, const PropertyList& fapl);
Group create_group(hid_t parent, const std::string& name, std::string_view where);
Group open_group(hid_t parent, const std::string& name, std::string_view where);

// ---- dataspaces ------------------------------------------------------------------------------
Dataspace scalar_space(std::string_view where);
Dataspace vector_space(hsize_t length, std::string_view where);         // 1-D, fixed extent (may be 0)
hsize_t vector_length(const Dataspace& space, std::string_view where);  // fails unless 1-D
// Selects [start, start + count) of a 1-D space, or nothing when count is 0.
void select_range(const Dataspace& space, hsize_t start, hsize_t count, std::string_view where);

// ---- datatypes -------------------------------------------------------------------------------
// Fixed-length, null-padded, UTF-8 tagged string of `width` bytes (width >= 1).
Datatype fixed_string_type(std::size_t width, std::string_view where);
Datatype copy_type(hid_t type, std::string_view where);
// An empty compound of `size` bytes; members are inserted at explicit (packed) offsets.
Datatype compound_type(std::size_t size, std::string_view where);
void insert_member(const Datatype& compound, const std::string& name, std::size_t offset, hid_t member,
                   std::string_view where);

// ---- datasets --------------------------------------------------------------------------------
Dataset create_dataset(hid_t parent, const std::string& name, const Datatype& type, const Dataspace& space,
                       const PropertyList& dcpl, std::string_view where);
Dataset open_dataset(hid_t parent, const std::string& name, std::string_view where);
// Whether `parent` has a link (a dataset, a group) called `name`.
bool has_link(hid_t parent, const std::string& name, std::string_view where);
Dataspace dataset_space(const Dataset& dataset, std::string_view where);
// Where a contiguous dataset's data starts in the file; nullopt while it has no storage (no
// elements). With early allocation, known as soon as the dataset is created.
std::optional<std::int64_t> dataset_offset(const Dataset& dataset);
Datatype dataset_type(const Dataset& dataset, std::string_view where);
void write(const Dataset& dataset, const Datatype& memory_type, const Dataspace& memory_space,
           const Dataspace& file_space, const PropertyList& dxpl, const void* buffer, std::string_view where);
void read(const Dataset& dataset, const Datatype& memory_type, const Dataspace& memory_space,
          const Dataspace& file_space, const PropertyList& dxpl, void* buffer, std::string_view where);

// ---- attributes ------------------------------------------------------------------------------
// Writers create the attribute on `object` (collective in parallel: same value on every rank).
// Strings are fixed-length null-padded; lists are 1-D (an empty list is a 0-length dataspace).
void write_attribute(hid_t object, const std::string& name, const std::string& value, std::string_view where);
void write_attribute(hid_t object, const std::string& name, std::int64_t value, std::string_view where);
void write_attribute(hid_t object, const std::string& name, std::int32_t value, std::string_view where);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values,
                     std::string_view where);
// Readers accept fixed-length strings (trailing NULs trimmed) and any integer type.
std::string read_string_attribute(hid_t object, const std::string& name, std::string_view where);
std::int64_t read_int_attribute(hid_t object, const std::string& name, std::string_view where);
std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name, std::string_view where);

// Bytes of a fixed-length string field without its trailing NUL padding.
std::string trim_nul_padding(const char* field, std::size_t width);

}  // namespace ba::h5
