extension OpenCLBackend {
    public func gatherRows(_ source: Buffer, rowLength: Int, indices: Buffer, first: Int, count: Int, output: Buffer) throws {
        try checkGatherRows(source, rowLength: rowLength, indices: indices, first: first, count: count, output: output)
        try launch(.gatherRows, global: [rowLength, count],
                   [.int(rowLength), .int(count), .int(first), .int(source.count / rowLength),
                    .buffer(source), .buffer(indices), .buffer(output)])
    }

    public func gatherByteRows(_ source: Buffer, rows: Int, rowLength: Int, indices: Buffer, first: Int, count: Int,
                               output: Buffer) throws {
        try checkGatherByteRows(source, rows: rows, rowLength: rowLength, indices: indices, first: first, count: count,
                                output: output)
        try launch(.gatherByteRows, global: [rowLength, count],
                   [.int(rowLength), .int(count), .int(first), .int(rows),
                    .buffer(source), .buffer(indices), .buffer(output)])
    }

    public func confusionAdd(logits: Buffer, target: Buffer, rows: Int, classes: Int, confusion: Buffer) throws {
        try checkConfusion(logits: logits, target: target, rows: rows, classes: classes, confusion: confusion)
        try launch(.confusionAdd, global: [classes * classes],
                   [.int(rows), .int(classes), .buffer(logits), .buffer(target), .buffer(confusion)])
    }
}
