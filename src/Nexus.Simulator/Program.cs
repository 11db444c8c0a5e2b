Console.WriteLine("Nexus.Simulator: not built yet.");
