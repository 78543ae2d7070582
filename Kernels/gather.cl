// gather_rows: a batch gathered on the device from a dataset kept there. `indices` holds the
// epoch's shuffled order as floats (exact below 2^24); batch row r is dataset row
// indices[first + r]. One work-item per output float, so consecutive work-items read and
// write consecutive floats of a row.

__kernel void gather_rows(const int row_length, const int count, const int first, const int rows,
                          __global const float* source, __global const float* indices,
                          __global float* output) {
    const int i = get_global_id(0), r = get_global_id(1);
    if (i >= row_length || r >= count) return;
    const int row = (int)indices[first + r];
    // An index outside the dataset reads nothing: its row becomes NaN, which the loss shows.
    output[r * row_length + i] = row >= 0 && row < rows ? source[row * row_length + i] : NAN;
}

// gather_byte_rows: the same from a dataset kept as bytes (images as their files hold them, a
// quarter of their size as floats); each byte becomes byte / 255 in the batch, so the floats
// exist only for the batch. Byte reads are allowed in OpenCL C 1.2 without extensions.
__kernel void gather_byte_rows(const int row_length, const int count, const int first, const int rows,
                               __global const uchar* source, __global const float* indices,
                               __global float* output) {
    const int i = get_global_id(0), r = get_global_id(1);
    if (i >= row_length || r >= count) return;
    const int row = (int)indices[first + r];
    output[r * row_length + i] = row >= 0 && row < rows ? (float)source[row * row_length + i] / 255.0f : NAN;
}
