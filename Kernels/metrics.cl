// confusion_add: a classifier's confusion matrix counted on the device, so training and
// evaluation never read logits back. One work-item per cell (true t, predicted p) scans the
// batch's rows: no atomics, and the count is the same on every device.

// The first maximum of a row of `classes` values.
static int row_argmax(__global const float* row, const int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    return best;
}

__kernel void confusion_add(const int rows, const int classes, __global const float* logits,
                            __global const float* target, __global float* confusion) {
    const int cell = get_global_id(0);
    if (cell >= classes * classes) return;
    const int t = cell / classes, p = cell % classes;
    int count = 0;
    for (int r = 0; r < rows; r++) {
        if (row_argmax(target + r * classes, classes) == t && row_argmax(logits + r * classes, classes) == p) count++;
    }
    confusion[cell] += (float)count;
}
