#include "h5/h5.hpp"

#include <algorithm>
#include <array>

namespace ba::h5 {

void silence_error_printing() {
  static const bool silenced = [] {
    // Failures reach the caller as ba::Failure with the stack's text; nothing goes to stderr.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

namespace {

struct StackText {
  std::vector<std::string> lines;
};

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* error, void* data) {
  auto* text = static_cast<StackText*>(data);
  std::string line = error->func_name != nullptr ? std::string(error->func_name) + "(): " : std::string();
  line += error->desc != nullptr ? error->desc : "";
  std::array<char, 256> minor{};
  if (H5Eget_msg(error->min_num, nullptr, minor.data(), minor.size()) > 0) {
    line += std::string(" [") + minor.data() + "]";
  }
  std::replace(line.begin(), line.end(), '\n', ' ');  // some descriptions span lines
  text->lines.push_back(std::move(line));
  return 0;
}

// The API-level entry and the innermost entries say what failed and why; the middle of a deep
// stack rarely adds anything.
std::string error_stack_text() {
  StackText text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &text);
  H5Eclear2(H5E_DEFAULT);
  if (text.lines.empty()) return "no HDF5 error message";
  constexpr std::size_t kInnermost = 3;
  std::string out = text.lines.front();
  const std::size_t first_tail =
      std::max<std::size_t>(1, text.lines.size() > kInnermost ? text.lines.size() - kInnermost : 1);
  if (first_tail > 1) out += "; ...";
  for (std::size_t i = first_tail; i < text.lines.size(); ++i) out += "; " + text.lines[i];
  return out;
}

hid_t checked_id(hid_t id, const char* call, std::string_view where) { return check(id, call, where); }

// A scalar or 1-D attribute of `type`, created and written in one go.
void write_attribute_bytes(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                           const Dataspace& space, const void* data, std::string_view where) {
  const std::string at = std::string(where) + " attribute " + name;
  Attribute attribute(
      checked_id(H5Acreate2(object, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", at));
  check(H5Awrite(attribute.id(), memory_type, data), "H5Awrite", at);
  attribute.close(at);
}

struct OpenAttribute {
  Attribute attribute;
  Datatype type;
  Dataspace space;
  std::string at;
};

OpenAttribute open_attribute(hid_t object, const std::string& name, std::string_view where) {
  OpenAttribute open;
  open.at = std::string(where) + " attribute " + name;
  open.attribute = Attribute(checked_id(H5Aopen(object, name.c_str(), H5P_DEFAULT), "H5Aopen", open.at));
  open.type = Datatype(checked_id(H5Aget_type(open.attribute.id()), "H5Aget_type", open.at));
  open.space = Dataspace(checked_id(H5Aget_space(open.attribute.id()), "H5Aget_space", open.at));
  return open;
}

// Width of a fixed-length string attribute type; fails for any other type.
std::size_t fixed_string_width(const OpenAttribute& open) {
  const H5T_class_t type_class = H5Tget_class(open.type.id());
  const htri_t variable = check(H5Tis_variable_str(open.type.id()), "H5Tis_variable_str", open.at);
  if (type_class != H5T_STRING || variable > 0) {
    fail(ExitCode::io_failure, "HDF5 " + open.at + " is not a fixed-length string");
  }
  const std::size_t width = H5Tget_size(open.type.id());
  if (width == 0) fail_call("H5Tget_size", open.at);
  return width;
}

hssize_t element_count(const OpenAttribute& open) {
  if (check(H5Sget_simple_extent_type(open.space.id()), "H5Sget_simple_extent_type", open.at) == H5S_NULL) return 0;
  return check(H5Sget_simple_extent_npoints(open.space.id()), "H5Sget_simple_extent_npoints", open.at);
}

}  // namespace

void fail_call(const char* call, std::string_view where) {
  fail(ExitCode::io_failure,
       std::string("HDF5 ") + call + " failed for " + std::string(where) + ": " + error_stack_text());
}

// ---- property lists --------------------------------------------------------------------------

PropertyList mpio_file_access(MPI_Comm comm) {
  silence_error_printing();
  constexpr std::string_view where = "MPI-IO file access list";
  PropertyList fapl(checked_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", where));
  check(H5Pset_fapl_mpio(fapl.id(), comm, MPI_INFO_NULL), "H5Pset_fapl_mpio", where);
  // Metadata is flushed by all ranks together rather than by rank 0 alone.
  check(H5Pset_coll_metadata_write(fapl.id(), 1), "H5Pset_coll_metadata_write", where);
  return fapl;
}

PropertyList serial_file_access() {
  silence_error_printing();
  return PropertyList(checked_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", "file access list"));
}

PropertyList independent_transfer() {
  silence_error_printing();
  return PropertyList(checked_id(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", "transfer list"));
}

PropertyList collective_transfer() {
  silence_error_printing();
  constexpr std::string_view where = "collective transfer list";
  PropertyList dxpl(checked_id(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", where));
  check(H5Pset_dxpl_mpio(dxpl.id(), H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", where);
  return dxpl;
}

std::uint32_t no_collective_cause(const PropertyList& dxpl, std::string_view where) {
  std::uint32_t local = 0;
  std::uint32_t global = 0;
  check(H5Pget_mpio_no_collective_cause(dxpl.id(), &local, &global), "H5Pget_mpio_no_collective_cause", where);
  return local | global;
}

PropertyList contiguous_no_fill_creation() {
  silence_error_printing();
  constexpr std::string_view where = "dataset creation list";
  PropertyList dcpl(checked_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", where));
  check(H5Pset_layout(dcpl.id(), H5D_CONTIGUOUS), "H5Pset_layout", where);
  check(H5Pset_fill_time(dcpl.id(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time", where);
  // Storage allocated at creation (the parallel default, said explicitly): its offset is known.
  check(H5Pset_alloc_time(dcpl.id(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", where);
  check(H5Pset_obj_track_times(dcpl.id(), 0), "H5Pset_obj_track_times", where);
  return dcpl;
}

namespace {
// Object creation lists without time stamps: HDF5 stamps object headers with the clock by
// default, and then the same input never gives the same store bytes.
PropertyList untimed_creation(hid_t list_class, std::string_view where) {
  PropertyList list(checked_id(H5Pcreate(list_class), "H5Pcreate", where));
  check(H5Pset_obj_track_times(list.id(), 0), "H5Pset_obj_track_times", where);
  return list;
}
}  // namespace

// ---- files and groups ------------------------------------------------------------------------

File create_file(const std::string& path, const PropertyList& fapl) {
  silence_error_printing();
  const PropertyList fcpl = untimed_creation(H5P_FILE_CREATE, path);  // for the root group
  return File(checked_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id()), "H5Fcreate", path));
}

File open_file_read_only(const std::string& path, const PropertyList& fapl) {
  silence_error_printing();
  return File(checked_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.id()), "H5Fopen", path));
}

Group create_group(hid_t parent, const std::string& name, std::string_view where) {
  const PropertyList gcpl = untimed_creation(H5P_GROUP_CREATE, where);
  return Group(checked_id(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), "H5Gcreate2", where));
}

Group open_group(hid_t parent, const std::string& name, std::string_view where) {
  return Group(checked_id(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "H5Gopen2", where));
}

// ---- dataspaces ------------------------------------------------------------------------------

Dataspace scalar_space(std::string_view where) {
  return Dataspace(checked_id(H5Screate(H5S_SCALAR), "H5Screate", where));
}

Dataspace vector_space(hsize_t length, std::string_view where) {
  const hsize_t dims[1] = {length};
  return Dataspace(checked_id(H5Screate_simple(1, dims, nullptr), "H5Screate_simple", where));
}

hsize_t vector_length(const Dataspace& space, std::string_view where) {
  const int rank = check(H5Sget_simple_extent_ndims(space.id()), "H5Sget_simple_extent_ndims", where);
  if (rank != 1) fail(ExitCode::io_failure, "HDF5 " + std::string(where) + " is not one-dimensional");
  hsize_t dims[1] = {0};
  check(H5Sget_simple_extent_dims(space.id(), dims, nullptr), "H5Sget_simple_extent_dims", where);
  return dims[0];
}

void select_range(const Dataspace& space, hsize_t start, hsize_t count, std::string_view where) {
  if (count == 0) {
    check(H5Sselect_none(space.id()), "H5Sselect_none", where);
    return;
  }
  const hsize_t starts[1] = {start};
  const hsize_t counts[1] = {count};
  check(H5Sselect_hyperslab(space.id(), H5S_SELECT_SET, starts, nullptr, counts, nullptr), "H5Sselect_hyperslab",
        where);
}

// ---- datatypes -------------------------------------------------------------------------------

Datatype fixed_string_type(std::size_t width, std::string_view where) {
  ensure(width >= 1, "fixed-length string width is at least 1");
  Datatype type = copy_type(H5T_C_S1, where);
  check(H5Tset_size(type.id(), width), "H5Tset_size", where);
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "H5Tset_strpad", where);
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset", where);
  return type;
}

Datatype copy_type(hid_t type, std::string_view where) { return Datatype(checked_id(H5Tcopy(type), "H5Tcopy", where)); }

Datatype compound_type(std::size_t size, std::string_view where) {
  return Datatype(checked_id(H5Tcreate(H5T_COMPOUND, size), "H5Tcreate", where));
}

void insert_member(const Datatype& compound, const std::string& name, std::size_t offset, hid_t member,
                   std::string_view where) {
  check(H5Tinsert(compound.id(), name.c_str(), offset, member), "H5Tinsert", where);
}

// ---- datasets --------------------------------------------------------------------------------

Dataset create_dataset(hid_t parent, const std::string& name, const Datatype& type, const Dataspace& space,
                       const PropertyList& dcpl, std::string_view where) {
  return Dataset(
      checked_id(H5Dcreate2(parent, name.c_str(), type.id(), space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                 "H5Dcreate2", where));
}

Dataset open_dataset(hid_t parent, const std::string& name, std::string_view where) {
  return Dataset(checked_id(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "H5Dopen2", where));
}

bool has_link(hid_t parent, const std::string& name, std::string_view where) {
  silence_error_printing();
  return check(H5Lexists(parent, name.c_str(), H5P_DEFAULT), "H5Lexists", where) > 0;
}

Dataspace dataset_space(const Dataset& dataset, std::string_view where) {
  return Dataspace(checked_id(H5Dget_space(dataset.id()), "H5Dget_space", where));
}

std::optional<std::int64_t> dataset_offset(const Dataset& dataset) {
  const haddr_t offset = H5Dget_offset(dataset.id());
  if (offset == HADDR_UNDEF) return std::nullopt;
  return static_cast<std::int64_t>(offset);
}

Datatype dataset_type(const Dataset& dataset, std::string_view where) {
  return Datatype(checked_id(H5Dget_type(dataset.id()), "H5Dget_type", where));
}

void write(const Dataset& dataset, const Datatype& memory_type, const Dataspace& memory_space,
           const Dataspace& file_space, const PropertyList& dxpl, const void* buffer, std::string_view where) {
  check(H5Dwrite(dataset.id(), memory_type.id(), memory_space.id(), file_space.id(), dxpl.id(), buffer), "H5Dwrite",
        where);
}

void read(const Dataset& dataset, const Datatype& memory_type, const Dataspace& memory_space,
          const Dataspace& file_space, const PropertyList& dxpl, void* buffer, std::string_view where) {
  check(H5Dread(dataset.id(), memory_type.id(), memory_space.id(), file_space.id(), dxpl.id(), buffer), "H5Dread",
        where);
}

// ---- attributes ------------------------------------------------------------------------------

void write_attribute(hid_t object, const std::string& name, const std::string& value, std::string_view where) {
  const std::size_t width = std::max<std::size_t>(1, value.size());
  std::vector<char> bytes(width, '\0');
  std::copy(value.begin(), value.end(), bytes.begin());
  const Datatype type = fixed_string_type(width, where);
  write_attribute_bytes(object, name, type.id(), type.id(), scalar_space(where), bytes.data(), where);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value, std::string_view where) {
  write_attribute_bytes(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, scalar_space(where), &value, where);
}

void write_attribute(hid_t object, const std::string& name, std::int32_t value, std::string_view where) {
  write_attribute_bytes(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, scalar_space(where), &value, where);
}

void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values,
                     std::string_view where) {
  std::size_t width = 1;
  for (const auto& value : values) width = std::max(width, value.size());
  std::vector<char> bytes(width * values.size() + 1, '\0');  // +1: never a null buffer
  for (std::size_t i = 0; i < values.size(); ++i)
    std::copy(values[i].begin(), values[i].end(), bytes.begin() + i * width);
  const Datatype type = fixed_string_type(width, where);
  write_attribute_bytes(object, name, type.id(), type.id(), vector_space(values.size(), where), bytes.data(), where);
}

std::string read_string_attribute(hid_t object, const std::string& name, std::string_view where) {
  const OpenAttribute open = open_attribute(object, name, where);
  const std::size_t width = fixed_string_width(open);
  if (element_count(open) != 1) fail(ExitCode::io_failure, "HDF5 " + open.at + " is not a single string");
  std::vector<char> bytes(width, '\0');
  // Read with the attribute's own type: raw bytes, no conversion between pads or character sets.
  check(H5Aread(open.attribute.id(), open.type.id(), bytes.data()), "H5Aread", open.at);
  return trim_nul_padding(bytes.data(), width);
}

std::int64_t read_int_attribute(hid_t object, const std::string& name, std::string_view where) {
  const OpenAttribute open = open_attribute(object, name, where);
  if (H5Tget_class(open.type.id()) != H5T_INTEGER || element_count(open) != 1) {
    fail(ExitCode::io_failure, "HDF5 " + open.at + " is not a single integer");
  }
  std::int64_t value = 0;
  check(H5Aread(open.attribute.id(), H5T_NATIVE_INT64, &value), "H5Aread", open.at);
  return value;
}

std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name, std::string_view where) {
  const OpenAttribute open = open_attribute(object, name, where);
  const std::size_t width = fixed_string_width(open);
  const auto count = static_cast<std::size_t>(element_count(open));
  std::vector<char> bytes(width * count + 1, '\0');
  if (count > 0) check(H5Aread(open.attribute.id(), open.type.id(), bytes.data()), "H5Aread", open.at);
  std::vector<std::string> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) values.push_back(trim_nul_padding(bytes.data() + i * width, width));
  return values;
}

std::string trim_nul_padding(const char* field, std::size_t width) {
  while (width > 0 && field[width - 1] == '\0') --width;
  return std::string(field, width);
}

}  // namespace ba::h5
