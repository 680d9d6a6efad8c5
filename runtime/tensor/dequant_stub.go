package tensor

// Dequantize widens a stored [rows, cols] matrix of type dt into dst
// (rows·cols values).
func Dequantize(dst []float32, data []byte, dt DType, rows, cols int) {
	if dt.Quantized() {
		panic("tensor: Dequantize of " + dt.String() + " is not written yet")
	}
	DecodeF32(dst[:rows*cols], data, dt)
}
