namespace Nexus.Contracts;
