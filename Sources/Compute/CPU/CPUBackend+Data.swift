extension CPUBackend {
    public func gatherRows(_ source: Buffer, rowLength: Int, indices: Buffer, first: Int, count: Int, output: Buffer) throws {
        try checkGatherRows(source, rowLength: rowLength, indices: indices, first: first, count: count, output: output)
        let x = try pointer(source), index = try pointer(indices), y = try pointer(output)
        let rows = source.count / rowLength
        for r in 0..<count {
            let value = index[first + r]
            guard let row = Int(exactly: value), row >= 0, row < rows else {
                throw ComputeError.invalidArgument("gather_rows: index \(value) at \(first + r) is not a row of 0..<\(rows)")
            }
            (y + r * rowLength).update(from: x + row * rowLength, count: rowLength)
        }
    }

    public func gatherByteRows(_ source: Buffer, rows: Int, rowLength: Int, indices: Buffer, first: Int, count: Int,
                               output: Buffer) throws {
        try checkGatherByteRows(source, rows: rows, rowLength: rowLength, indices: indices, first: first, count: count,
                                output: output)
        let x = UnsafeRawPointer(try pointer(source)).assumingMemoryBound(to: UInt8.self)
        let index = try pointer(indices), y = try pointer(output)
        for r in 0..<count {
            let value = index[first + r]
            guard let row = Int(exactly: value), row >= 0, row < rows else {
                throw ComputeError.invalidArgument("gather_byte_rows: index \(value) at \(first + r) is not a row of 0..<\(rows)")
            }
            let from = x + row * rowLength, to = y + r * rowLength
            for i in 0..<rowLength { to[i] = Float(from[i]) / 255 }
        }
    }

    public func confusionAdd(logits: Buffer, target: Buffer, rows: Int, classes: Int, confusion: Buffer) throws {
        try checkConfusion(logits: logits, target: target, rows: rows, classes: classes, confusion: confusion)
        let y = try pointer(logits), t = try pointer(target), counts = try pointer(confusion)
        func argmax(_ row: UnsafeMutablePointer<Float>) -> Int {
            var best = 0
            for c in 1..<classes where row[c] > row[best] { best = c }
            return best
        }
        for r in 0..<rows {
            counts[argmax(t + r * classes) * classes + argmax(y + r * classes)] += 1
        }
    }
}
