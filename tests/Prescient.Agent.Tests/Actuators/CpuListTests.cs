using Prescient.Agent.Actuators.Policy;

namespace Prescient.Agent.Tests.Actuators;

public sealed class CpuListTests
{
    [Theory]
    [InlineData("0-3,8", new[] { 0, 1, 2, 3, 8 })]
    [InlineData(" 5 ", new[] { 5 })]
    [InlineData("3,1,2,1", new[] { 1, 2, 3 })]
    [InlineData("", new int[0])]
    public void TryParse_Valid(string text, int[] expected)
    {
        Assert.True(CpuList.TryParse(text, out var ids, out var error), error);
        Assert.Equal(expected, ids);
    }

    [Theory]
    [InlineData("3-1")]
    [InlineData("a")]
    [InlineData("1,,2")]
    [InlineData("-1")]
    [InlineData("0-99999999")]
    public void TryParse_Invalid_FailsWithReason(string text)
    {
        Assert.False(CpuList.TryParse(text, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Format_CollapsesRanges()
    {
        Assert.Equal("0-3,8,10-11", CpuList.Format([0, 1, 2, 3, 8, 10, 11]));
        Assert.Equal(string.Empty, CpuList.Format([]));
    }
}
