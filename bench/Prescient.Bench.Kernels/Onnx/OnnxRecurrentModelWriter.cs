using System.Runtime.InteropServices;
using Google.Protobuf;
using Prescient.Kernels;

namespace Prescient.Bench.Kernels.Onnx;

/// <summary>
/// Writes the rival model as ONNX: the standard LSTM/GRU operator over <c>steps</c> time steps with the same
/// weights as a <see cref="RecurrentWeights"/>, followed by the linear head (Reshape, MatMul, Add).
/// Inputs: X [steps, N, F], initial_h [1, N, H] (and initial_c for LSTM). Outputs: y [steps, N, O], Y_h, Y_c.
/// </summary>
/// <remarks>
/// PyTorch gate order is LSTM i, f, g, o and GRU r, z, n; ONNX's is LSTM i, o, f, c and GRU z, r, h, so the
/// row blocks are permuted. GRU uses <c>linear_before_reset = 1</c>, which is PyTorch's formulation.
/// </remarks>
public static class OnnxRecurrentModelWriter
{
    private const int OpsetVersion = 17;
    private const long IrVersion = 8;

    public static byte[] Write(RecurrentWeights weights, int steps)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var spec = weights.Spec;
        int f = spec.InputSize, h = spec.HiddenSize, o = spec.OutputSize, g = spec.GateCount;
        var lstm = spec.Cell == RecurrentCellKind.Lstm;

        // ONNX block b takes PyTorch block order[b].
        int[] order = lstm ? [0, 3, 1, 2] : [1, 0, 2];
        var w = Permute(weights.InputWeights, order, h * f);
        var r = Permute(weights.HiddenWeights, order, h * h);
        var bias = new float[2 * g * h];
        Permute(weights.InputBias, order, h).CopyTo(bias, 0);
        Permute(weights.HiddenBias, order, h).CopyTo(bias, g * h);
        var headT = new float[h * o];
        for (var row = 0; row < o; row++)
        {
            for (var k = 0; k < h; k++)
            {
                headT[(k * o) + row] = weights.HeadWeights[(row * h) + k];
            }
        }

        var graph = new GraphProto { Name = lstm ? "prescient_lstm" : "prescient_gru" };
        graph.Initializer.Add(FloatTensor("W", [1, g * h, f], w));
        graph.Initializer.Add(FloatTensor("R", [1, g * h, h], r));
        graph.Initializer.Add(FloatTensor("B", [1, 2 * g * h], bias));
        graph.Initializer.Add(FloatTensor("head_wT", [h, o], headT));
        graph.Initializer.Add(FloatTensor("head_b", [o], weights.HeadBias));
        graph.Initializer.Add(new TensorProto
        {
            Name = "y_shape",
            DataType = (int)TensorProto.Types.DataType.Int64,
            Dims = { 3 },
            Int64Data = { 0, -1, h },
        });

        graph.Input.Add(Value("X", steps, "N", f));
        graph.Input.Add(Value("initial_h", 1, "N", h));
        if (lstm)
        {
            graph.Input.Add(Value("initial_c", 1, "N", h));
        }

        var cell = new NodeProto { OpType = lstm ? "LSTM" : "GRU", Name = "cell" };
        cell.Input.Add(["X", "W", "R", "B", string.Empty, "initial_h"]);
        if (lstm)
        {
            cell.Input.Add("initial_c");
        }

        cell.Output.Add(["Y", "Y_h"]);
        if (lstm)
        {
            cell.Output.Add("Y_c");
        }

        cell.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = h });
        if (!lstm)
        {
            cell.Attribute.Add(new AttributeProto { Name = "linear_before_reset", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        }

        graph.Node.Add(cell);
        graph.Node.Add(Node("Reshape", ["Y", "y_shape"], "Y3"));
        graph.Node.Add(Node("MatMul", ["Y3", "head_wT"], "y_lin"));
        graph.Node.Add(Node("Add", ["y_lin", "head_b"], "y"));
        graph.Output.Add(Value("y", steps, "N", o));
        graph.Output.Add(Value("Y_h", 1, "N", h));
        if (lstm)
        {
            graph.Output.Add(Value("Y_c", 1, "N", h));
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "prescient-bench",
            ProducerVersion = "1",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        return model.ToByteArray();
    }

    private static float[] Permute(float[] source, int[] order, int blockLength)
    {
        var result = new float[source.Length];
        for (var b = 0; b < order.Length; b++)
        {
            Array.Copy(source, order[b] * blockLength, result, b * blockLength, blockLength);
        }

        return result;
    }

    private static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto Value(string name, long first, string symbolic, long last)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = first });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = symbolic });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = last });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
